"""Fills a real MLflow tracking server through MLflow's own Python client, as a training pipeline would.

The integration tests describe what they need as JSON on stdin and read back, as JSON on stdout, the
ids MLflow gave (run ids, logged model ids, version numbers). Run with the tools' Python:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 .tools/python/bin/python populate_mlflow.py < scenario.json

Scenario:
    {"experiment": "name",
     "models": [{"name": "…", "tags": {…}, "description": "…",
                 "versions": [{"run": RUN | null, "loggedModel": LOGGED | null, "tags": {…}, "source": "…"?}],
                 "aliases": {"alias": <1-based index into versions>}}],
     "webhooks": [{"name": "…", "url": "…", "events": ["model_version.created", …], "secret": "…"}]}
    RUN = {"user": "…", "params": {…}, "metrics": {…}, "gitCommit": "…",
           "datasets": [{"name": "…", "source": "s3://… | https://…", "context": "training"}]}
    LOGGED = {"name": "…", "params": {…}, "metrics": {…}}
"""

import hashlib
import json
import sys

import mlflow
import pandas as pd
from mlflow import MlflowClient


def log_datasets(datasets):
    for spec in datasets:
        # MLflow identifies a dataset by name and content digest: distinct sources get distinct rows.
        seed = int(hashlib.sha256(spec["source"].encode()).hexdigest()[:8], 16) / 2**32
        frame = pd.DataFrame({"feature": [seed, 2.0, 3.0], "label": [0, 1, 0]})
        dataset = mlflow.data.from_pandas(frame, source=spec["source"], name=spec["name"], targets="label")
        mlflow.log_input(dataset, context=spec.get("context", "training"))


def main():
    scenario = json.load(sys.stdin)
    client = MlflowClient()
    experiment = mlflow.set_experiment(scenario.get("experiment", "modelrails-integration"))
    answer = {"experimentId": experiment.experiment_id, "models": {}, "webhooks": []}

    # Webhooks first: the models and versions created next are what they report.
    for hook in scenario.get("webhooks", []):
        webhook = client.create_webhook(
            name=hook["name"], url=hook["url"], events=hook["events"], secret=hook.get("secret")
        )
        answer["webhooks"].append(webhook.webhook_id)

    for model in scenario.get("models", []):
        client.create_registered_model(model["name"], tags=model.get("tags"), description=model.get("description"))
        created = []
        for spec in model.get("versions", []):
            run_id = None
            model_id = None
            run = spec.get("run")
            if run is not None:
                tags = {"mlflow.user": run.get("user", "ci")}
                if run.get("gitCommit"):
                    tags["mlflow.source.git.commit"] = run["gitCommit"]
                with mlflow.start_run(tags=tags) as active:
                    run_id = active.info.run_id
                    if run.get("params"):
                        mlflow.log_params(run["params"])
                    for key, value in run.get("metrics", {}).items():
                        mlflow.log_metric(key, value)
                    log_datasets(run.get("datasets", []))
            logged = spec.get("loggedModel")
            if logged is not None:
                lm = client.create_logged_model(
                    experiment.experiment_id,
                    name=logged.get("name", model["name"]),
                    source_run_id=run_id,
                    params={k: str(v) for k, v in logged.get("params", {}).items()} or None,
                )
                model_id = lm.model_id
                for key, value in logged.get("metrics", {}).items():
                    # MLflow 3 keeps a logged model's metrics against the run that produced it.
                    client.log_metric(run_id, key, value, model_id=model_id)
                client.finalize_logged_model(model_id, "READY")
            source = spec.get("source") or (f"models:/{model_id}" if model_id else f"runs:/{run_id}/model")
            mv = client.create_model_version(
                model["name"], source=source, run_id=run_id, tags=spec.get("tags"), model_id=model_id
            )
            created.append({"version": mv.version, "runId": run_id, "modelId": model_id})
        for alias, index in model.get("aliases", {}).items():
            client.set_registered_model_alias(model["name"], alias, created[index - 1]["version"])
        answer["models"][model["name"]] = created

    sys.stdout.write("\n" + json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
