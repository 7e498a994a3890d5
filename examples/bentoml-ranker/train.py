"""Trains the re-ranker and registers it with ModelRails: the training side of the Python client.

    MODELRAILS_URL=http://localhost:7007/api/mlops MODELRAILS_CI_TOKEN=modelrails-demo-ci-token \
    MLFLOW_TRACKING_URI=http://127.0.0.1:5055 python train.py --version 1 --out build/1

With MLFLOW_TRACKING_URI the run goes to MLflow and the version is registered from the run (its
metrics, parameters, commit, training dataset and logged model); without it, from the model file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

import joblib
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import modelrails

from data import FEATURES, traffic

MODEL = "model:default/product-search-reranker"


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).parent).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", required=True, help="folder for model.joblib")
    parser.add_argument("--model", default=MODEL)
    args = parser.parse_args()

    train, holdout = traffic(20_000, seed=1), traffic(5_000, seed=2)
    params = {"C": 1.0, "max_iter": 500}
    pipeline = make_pipeline(
        ColumnTransformer([
            ("numbers", StandardScaler(), ["query_length", "item_price", "position"]),
            ("country", OneHotEncoder(handle_unknown="ignore"), ["user_country"]),
        ]),
        LogisticRegression(**params),
    )
    pipeline.fit(train[FEATURES], train["click"])
    auc = float(roc_auc_score(holdout["click"], pipeline.predict_proba(holdout[FEATURES])[:, 1]))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out / "model.joblib")

    client = modelrails.Client(os.environ["MODELRAILS_URL"], os.environ["MODELRAILS_CI_TOKEN"])
    tracking_uri = os.environ.get("MLFLOW_TRACKING_URI")
    try:
        register(client, args, pipeline, params, auc, train, out, tracking_uri)
    except modelrails.Rejected as rejected:
        if rejected.status != 409:
            raise
        # Registered by an earlier run (the demo restarting): versions and profiles are immutable.
        print(f"{args.model} version {args.version} is registered already: {rejected.message}")


def register(client, args, pipeline, params, auc, train, out, tracking_uri) -> None:
    if tracking_uri:
        import mlflow
        import mlflow.data
        import mlflow.sklearn

        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_experiment("product-search-reranker")
        with mlflow.start_run() as run:
            mlflow.log_params(params)
            mlflow.log_metric("auc", auc)
            mlflow.log_input(mlflow.data.from_pandas(train, name="search-logs", targets="click"), context="training")
            commit = git_commit()
            if commit:
                mlflow.set_tag("mlflow.source.git.commit", commit)
            mlflow.sklearn.log_model(pipeline, name="model")
        version = client.register_version(args.model, args.version, run_id=run.info.run_id, tracking_uri=tracking_uri)
    else:
        version = client.register_version(args.model, args.version, artifact_uri=(out / "model.joblib").resolve().as_uri(),
                                          artifact_path=out / "model.joblib", metrics={"auc": auc}, hyperparameters=params,
                                          code_commit=git_commit())
    profile = client.upload_training_profile(args.model, args.version, train[FEATURES],
                                             score=pipeline.predict_proba(train[FEATURES])[:, 1], target=("click", train["click"]))
    print(f"registered {args.model} version {version['version']} (auc {auc:.3f}); "
          f"profile of {len(profile['features'])} features")


if __name__ == "__main__":
    main()
