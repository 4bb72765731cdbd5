"""The only package that touches the MongoDB driver: client, indexes, repositories, DataLoaders."""
