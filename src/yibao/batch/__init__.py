"""Books of bills: columnar input (Parquet/CSV), the engine over chunks of whole persons, Dask."""
