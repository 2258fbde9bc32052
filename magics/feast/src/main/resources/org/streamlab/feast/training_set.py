"""A point-in-time-correct training set from a Feast feature repository (run by StreamLab's %feast training).

Reads the entity rows (entity keys, an event timestamp, any label columns) from a Parquet file or folder or a
CSV file, calls FeatureStore.get_historical_features, writes the training set as one Parquet file and a JSON
summary (columns and rows, timestamps as ISO-8601 UTC strings) for the kernel to show.

Rows come back in the order of the entity rows (Feast's own order is not stable).
"""
import argparse
import decimal
import json
import math
import os
import sys


def read_entities(path, timestamp_column):
    import pandas as pd

    if path.lower().endswith(".csv"):
        df = pd.read_csv(path)
    else:
        df = pd.read_parquet(path)
    if timestamp_column not in df.columns:
        sys.exit(f"USER: the entity rows have no column '{timestamp_column}' (columns: {', '.join(df.columns)})"
                 f"|name the rows' time column with --timestamp-column")
    df[timestamp_column] = pd.to_datetime(df[timestamp_column], utc=True)
    if timestamp_column != "event_timestamp":
        df = df.rename(columns={timestamp_column: "event_timestamp"})
    return df


def to_json_value(v):
    import pandas as pd

    # missing values of nullable columns (Int64, string, datetime): pd.NA and pd.NaT are not JSON
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        if pd.isna(v):
            return None
        return v.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ") if v.tzinfo else v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if hasattr(v, "item"):  # numpy scalars
        return to_json_value(v.item())
    return v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repo", required=True)
    p.add_argument("--entities", required=True)
    p.add_argument("--features", default="")
    p.add_argument("--feature-service", default="")
    p.add_argument("--timestamp-column", default="event_timestamp")
    p.add_argument("--full-feature-names", action="store_true")
    p.add_argument("--out", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--max-json-rows", type=int, default=100000)
    a = p.parse_args()

    import pyarrow as pa
    import pyarrow.parquet as pq
    from feast import FeatureStore

    if not os.path.exists(a.entities):
        sys.exit(f"USER: entity rows not found: {a.entities}|write them first (e.g. from Spark as Parquet)")
    entity_df = read_entities(a.entities, a.timestamp_column)
    order = "__streamlab_row"
    entity_df[order] = range(len(entity_df))

    store = FeatureStore(repo_path=a.repo)
    if a.feature_service:
        features = store.get_feature_service(a.feature_service)
    else:
        features = [f for f in a.features.split(",") if f]
    job = store.get_historical_features(entity_df=entity_df, features=features,
                                        full_feature_names=a.full_feature_names)
    df = job.to_df().sort_values(order).drop(columns=[order]).reset_index(drop=True)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), a.out)
    summary = {
        "out": os.path.abspath(a.out),
        "row_count": len(df),
        "columns": list(df.columns),
        "types": [str(t) for t in df.dtypes],
        "rows": [[to_json_value(v) for v in row] for row in df.head(a.max_json_rows).itertuples(index=False)],
    }
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()
