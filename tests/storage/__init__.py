"""Tests of the storage package: repositories, migrations, the file store and the PTB persistence."""
