"""Registers a trained version of ${{ values.name }} with ModelRails and uploads its training profile.

Run by the CI workflow after training. Needs MODELRAILS_URL (the plugin's base URL, e.g.
https://backstage.example.com/api/mlops) and MODELRAILS_CI_TOKEN (a token with
mlops.version.register). Install the client: pip install ./clients/python (ModelRails repository).
"""

import os
import sys
from pathlib import Path

import pandas as pd

import modelrails

MODEL = "${{ values.name }}"


def main(version: str, training_data: str, artifact: str) -> None:
    client = modelrails.Client(os.environ["MODELRAILS_URL"], token=os.environ["MODELRAILS_CI_TOKEN"])
    # ARTIFACT_URI: where the model file is stored for serving (s3://…); the file's digest is computed here.
    artifact_uri = os.environ.get("ARTIFACT_URI") or Path(artifact).resolve().as_uri()
    client.register_version(MODEL, version, artifact_uri=artifact_uri, artifact_path=artifact,
                            code_commit=os.environ.get("GITHUB_SHA"),
                            created_by=os.environ.get("MODELRAILS_CREATED_BY"))
    frame = pd.read_parquet(training_data)
    client.upload_training_profile(MODEL, version, frame)


if __name__ == "__main__":
    main(*sys.argv[1:4])
