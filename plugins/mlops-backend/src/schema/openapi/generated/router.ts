//
// Generated from ../../openapi.yaml by scripts/generate-openapi-router.mjs. Do not edit.
//

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = {
  "openapi": "3.1.0",
  "info": {
    "title": "mlops",
    "version": "1",
    "description": "The ModelRails backend (Backstage plugin id `mlops`). Every route needs a Backstage user or service token except `/health`. The typed router in `openapi/generated/` is generated from this file with `yarn workspace @modelrails/plugin-mlops-backend generate:openapi`.",
    "license": {
      "name": "UNLICENSED"
    }
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "components": {
    "schemas": {
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "name": {
                "type": "string"
              },
              "message": {
                "type": "string"
              }
            },
            "required": [
              "name",
              "message"
            ],
            "additionalProperties": {}
          },
          "request": {
            "type": "object",
            "additionalProperties": {}
          },
          "response": {
            "type": "object",
            "properties": {
              "statusCode": {
                "type": "number"
              }
            },
            "required": [
              "statusCode"
            ]
          }
        },
        "required": [
          "error",
          "response"
        ],
        "additionalProperties": {}
      },
      "Health": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "ok",
              "degraded"
            ]
          },
          "database": {
            "type": "object",
            "properties": {
              "client": {
                "type": "string"
              },
              "reachable": {
                "type": "boolean"
              },
              "migrations": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              }
            },
            "required": [
              "client",
              "reachable",
              "migrations"
            ]
          }
        },
        "required": [
          "status",
          "database"
        ]
      },
      "PolicyLine": {
        "type": "object",
        "properties": {
          "label": {
            "type": "string"
          },
          "value": {
            "type": "string"
          }
        },
        "required": [
          "label",
          "value"
        ]
      },
      "PolicySection": {
        "type": "object",
        "properties": {
          "title": {
            "type": "string"
          },
          "lines": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/PolicyLine"
            }
          }
        },
        "required": [
          "title",
          "lines"
        ]
      },
      "ModelPolicyView": {
        "type": "object",
        "description": "A Model's policy with every default filled in, and the same policy in words.",
        "properties": {
          "entityRef": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "type": {
            "type": "string"
          },
          "lifecycle": {
            "type": "string"
          },
          "policy": {
            "type": "object",
            "additionalProperties": {}
          },
          "sections": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/PolicySection"
            }
          }
        },
        "required": [
          "entityRef",
          "type",
          "lifecycle",
          "policy",
          "sections"
        ]
      },
      "Digest": {
        "type": "string",
        "description": "A SHA-256 content digest.",
        "pattern": "^sha256:[0-9a-f]{64}$"
      },
      "EntityRef": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255
      },
      "DatasetVersion": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "ref": {
            "$ref": "#/components/schemas/EntityRef"
          },
          "version": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$"
          },
          "digest": {
            "$ref": "#/components/schemas/Digest"
          },
          "uri": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2048
          }
        },
        "required": [
          "ref",
          "version",
          "digest"
        ]
      },
      "FeatureSetVersion": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "ref": {
            "$ref": "#/components/schemas/EntityRef"
          },
          "version": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$"
          },
          "schema": {
            "type": "object",
            "maxProperties": 2000,
            "additionalProperties": {
              "type": "string",
              "maxLength": 64
            }
          }
        },
        "required": [
          "ref",
          "version"
        ]
      },
      "TrainingRun": {
        "type": "object",
        "properties": {
          "source": {
            "type": "string",
            "enum": [
              "ci",
              "mlflow",
              "demo"
            ]
          },
          "id": {
            "type": "string"
          },
          "url": {
            "type": "string"
          },
          "experiment": {
            "type": "string"
          },
          "startedAt": {
            "type": "string"
          },
          "finishedAt": {
            "type": "string"
          }
        },
        "required": [
          "source",
          "id"
        ]
      },
      "Deployment": {
        "type": "object",
        "properties": {
          "environment": {
            "type": "string"
          },
          "cluster": {
            "type": "string"
          },
          "namespace": {
            "type": "string"
          },
          "trafficWeight": {
            "type": "number"
          },
          "updatedAt": {
            "type": "string"
          }
        },
        "required": [
          "environment",
          "cluster",
          "namespace",
          "trafficWeight",
          "updatedAt"
        ]
      },
      "RegisterVersionRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "version": {
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
          },
          "artifact": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "uri": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2048
              },
              "digest": {
                "$ref": "#/components/schemas/Digest"
              }
            },
            "required": [
              "uri",
              "digest"
            ]
          },
          "codeCommit": {
            "type": "string",
            "pattern": "^[0-9a-f]{7,64}$"
          },
          "hyperparameters": {
            "type": "object",
            "maxProperties": 500,
            "additionalProperties": {
              "oneOf": [
                {
                  "type": "string",
                  "maxLength": 1024
                },
                {
                  "type": "number"
                },
                {
                  "type": "boolean"
                }
              ]
            }
          },
          "metrics": {
            "type": "object",
            "maxProperties": 500,
            "additionalProperties": {
              "type": "number"
            }
          },
          "training": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "run": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "id": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255
                  },
                  "url": {
                    "type": "string",
                    "format": "uri",
                    "maxLength": 2048
                  },
                  "experiment": {
                    "type": "string",
                    "maxLength": 255
                  },
                  "startedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "finishedAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                },
                "required": [
                  "id"
                ]
              },
              "datasets": {
                "type": "array",
                "maxItems": 100,
                "items": {
                  "$ref": "#/components/schemas/DatasetVersion"
                }
              }
            }
          },
          "featureSets": {
            "type": "array",
            "maxItems": 50,
            "items": {
              "$ref": "#/components/schemas/FeatureSetVersion"
            }
          },
          "createdBy": {
            "$ref": "#/components/schemas/EntityRef"
          }
        },
        "required": [
          "version",
          "artifact"
        ]
      },
      "ModelVersion": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": "string"
          },
          "artifact": {
            "type": "object",
            "properties": {
              "uri": {
                "type": "string"
              },
              "digest": {
                "type": "string"
              }
            },
            "required": [
              "uri",
              "digest"
            ]
          },
          "codeCommit": {
            "type": "string"
          },
          "hyperparameters": {
            "type": "object",
            "additionalProperties": {}
          },
          "metrics": {
            "type": "object",
            "additionalProperties": {
              "type": "number"
            }
          },
          "training": {
            "type": "object",
            "properties": {
              "run": {
                "$ref": "#/components/schemas/TrainingRun"
              },
              "datasets": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/DatasetVersion"
                }
              }
            },
            "required": [
              "datasets"
            ]
          },
          "featureSets": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/FeatureSetVersion"
            }
          },
          "creator": {
            "type": "string"
          },
          "source": {
            "type": "string",
            "enum": [
              "ci",
              "mlflow",
              "demo",
              "portal"
            ]
          },
          "createdAt": {
            "type": "string"
          },
          "reproducible": {
            "type": "boolean",
            "description": "False when no dataset version is recorded."
          },
          "aliases": {
            "type": "array",
            "items": {
              "type": "string",
              "enum": [
                "champion",
                "challenger",
                "standby"
              ]
            }
          },
          "deployments": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Deployment"
            }
          },
          "gates": {
            "$ref": "#/components/schemas/GateSummary"
          }
        },
        "required": [
          "modelRef",
          "version",
          "artifact",
          "hyperparameters",
          "metrics",
          "training",
          "featureSets",
          "creator",
          "source",
          "createdAt",
          "reproducible",
          "aliases",
          "deployments"
        ]
      },
      "GateResult": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "rule": {
            "type": "string",
            "description": "The gate in words, e.g. \"ndcg@20 ≥ 0.17\"."
          },
          "advisory": {
            "type": "boolean"
          },
          "status": {
            "type": "string",
            "enum": [
              "pass",
              "fail"
            ]
          },
          "value": {
            "type": "number",
            "description": "What was measured (absent when the gate had nothing to measure)."
          },
          "threshold": {
            "type": "number"
          },
          "reason": {
            "type": "string"
          }
        },
        "required": [
          "kind",
          "name",
          "rule",
          "advisory",
          "status",
          "reason"
        ]
      },
      "GateSummary": {
        "type": "object",
        "properties": {
          "evaluatedAt": {
            "type": "string"
          },
          "trigger": {
            "type": "string",
            "enum": [
              "registration",
              "manual",
              "sync"
            ]
          },
          "passed": {
            "type": "boolean",
            "description": "False when a gate that is not advisory failed."
          },
          "results": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/GateResult"
            }
          }
        },
        "required": [
          "evaluatedAt",
          "trigger",
          "passed",
          "results"
        ]
      },
      "MetricComparison": {
        "type": "object",
        "properties": {
          "value": {
            "type": "number"
          },
          "champion": {
            "type": "number"
          },
          "relative": {
            "type": "number"
          }
        },
        "required": [
          "value"
        ]
      },
      "ModelVersionList": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "champion": {
            "type": "string"
          },
          "items": {
            "type": "array",
            "items": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/ModelVersion"
                },
                {
                  "type": "object",
                  "properties": {
                    "vsChampion": {
                      "type": "object",
                      "additionalProperties": {
                        "$ref": "#/components/schemas/MetricComparison"
                      }
                    }
                  },
                  "required": [
                    "vsChampion"
                  ]
                }
              ]
            }
          }
        },
        "required": [
          "modelRef",
          "items"
        ]
      },
      "LineageNode": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "kind": {
            "type": "string",
            "enum": [
              "dataset-version",
              "training-run",
              "model-version",
              "deployment"
            ]
          },
          "label": {
            "type": "string"
          },
          "attributes": {
            "type": "object",
            "additionalProperties": {}
          }
        },
        "required": [
          "id",
          "kind",
          "label",
          "attributes"
        ]
      },
      "LineageGraph": {
        "type": "object",
        "properties": {
          "root": {
            "type": "string"
          },
          "depth": {
            "type": "integer"
          },
          "nodes": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/LineageNode"
            }
          },
          "edges": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "from": {
                  "type": "string"
                },
                "to": {
                  "type": "string"
                }
              },
              "required": [
                "from",
                "to"
              ]
            }
          },
          "truncated": {
            "type": "boolean"
          }
        },
        "required": [
          "root",
          "depth",
          "nodes",
          "edges",
          "truncated"
        ]
      },
      "DatasetConsumers": {
        "type": "object",
        "properties": {
          "dataset": {
            "$ref": "#/components/schemas/DatasetVersion"
          },
          "models": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "modelRef": {
                  "type": "string"
                },
                "version": {
                  "type": "string"
                },
                "serving": {
                  "type": "boolean"
                },
                "deployments": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Deployment"
                  }
                }
              },
              "required": [
                "modelRef",
                "version",
                "serving",
                "deployments"
              ]
            }
          }
        },
        "required": [
          "dataset",
          "models"
        ]
      },
      "SyncStatus": {
        "type": "object",
        "description": "The last MLflow sync, or `configured false` when none has run.",
        "properties": {
          "configured": {
            "type": "boolean"
          },
          "source": {
            "type": "string"
          },
          "startedAt": {
            "type": "string"
          },
          "finishedAt": {
            "type": "string"
          },
          "ok": {
            "type": "boolean"
          },
          "message": {
            "type": "string"
          },
          "details": {
            "type": "object",
            "additionalProperties": {}
          }
        },
        "required": [
          "configured"
        ]
      },
      "Promotion": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": "string"
          },
          "environment": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "pending",
              "approved",
              "rejected",
              "expired"
            ]
          },
          "requestedBy": {
            "type": "string"
          },
          "requestedAt": {
            "type": "string"
          },
          "requestReason": {
            "type": "string"
          },
          "artifactDigest": {
            "type": "string"
          },
          "decidedBy": {
            "type": "string"
          },
          "decidedAt": {
            "type": "string"
          },
          "decisionReason": {
            "type": "string"
          },
          "override": {
            "type": "object",
            "properties": {
              "reason": {
                "type": "string"
              }
            },
            "required": [
              "reason"
            ]
          },
          "evidence": {
            "type": "object",
            "additionalProperties": {}
          },
          "expiresAt": {
            "type": "string"
          },
          "canDecide": {
            "type": "object",
            "description": "Whether the caller may approve or reject this request, and if not, why.",
            "properties": {
              "allowed": {
                "type": "boolean"
              },
              "reason": {
                "type": "string"
              }
            },
            "required": [
              "allowed"
            ]
          }
        },
        "required": [
          "id",
          "modelRef",
          "version",
          "environment",
          "status",
          "requestedBy",
          "requestedAt",
          "artifactDigest"
        ]
      },
      "PromotionRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "environment": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9-]{0,63}$"
          },
          "reason": {
            "type": "string",
            "maxLength": 2000
          }
        },
        "required": [
          "environment"
        ]
      },
      "PromotionDecision": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2000
          },
          "override": {
            "type": "boolean",
            "description": "Approve despite failing gates (needs mlops.promotion.override); the reason is recorded as the override's."
          }
        },
        "required": [
          "reason"
        ]
      },
      "ProductionAt": {
        "type": "object",
        "description": "Which version held the champion (production) alias at a time, and who approved it.",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "at": {
            "type": "string"
          },
          "version": {
            "type": "string"
          },
          "since": {
            "type": "string"
          },
          "setBy": {
            "type": "string"
          },
          "approvedBy": {
            "type": "string"
          },
          "promotion": {
            "type": "string"
          },
          "override": {
            "type": "boolean"
          }
        },
        "required": [
          "modelRef",
          "at"
        ]
      },
      "IngestResult": {
        "type": "object",
        "description": "Sent only after the batch committed. `redelivered` means the batch id had been committed before and nothing was written; `duplicates` counts records whose (source, sequence) key was already committed; `dropped` counts events older than the retention window.",
        "properties": {
          "batchId": {
            "type": "string"
          },
          "accepted": {
            "type": "integer"
          },
          "duplicates": {
            "type": "integer"
          },
          "dropped": {
            "type": "integer"
          },
          "redelivered": {
            "type": "boolean"
          }
        },
        "required": [
          "batchId",
          "accepted",
          "duplicates",
          "redelivered"
        ]
      },
      "PredictionBatch": {
        "type": "object",
        "description": "Up to 10,000 prediction events. Every event has a (source, sequence) key, unique per sender; `source` may be given once for the batch. `time` is ISO 8601 or epoch milliseconds. Feature values are numbers, strings, booleans or null.",
        "properties": {
          "batchId": {
            "type": "string",
            "maxLength": 128
          },
          "source": {
            "type": "string",
            "maxLength": 128
          },
          "events": {
            "type": "array",
            "maxItems": 10000,
            "items": {
              "type": "object",
              "properties": {
                "model": {
                  "type": "string",
                  "description": "Model entity ref, such as model:default/home-feed-ranker"
                },
                "version": {
                  "type": "string"
                },
                "requestId": {
                  "type": "string"
                },
                "queryId": {
                  "type": "string"
                },
                "source": {
                  "type": "string"
                },
                "sequence": {
                  "type": "integer",
                  "minimum": 0
                },
                "time": {
                  "oneOf": [
                    {
                      "type": "string",
                      "format": "date-time"
                    },
                    {
                      "type": "integer"
                    }
                  ]
                },
                "features": {
                  "type": "object",
                  "additionalProperties": {}
                },
                "score": {
                  "type": "number"
                },
                "latencyMs": {
                  "type": "number",
                  "minimum": 0
                },
                "error": {
                  "type": "boolean"
                },
                "segment": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "string"
                  }
                }
              },
              "required": [
                "model",
                "version",
                "requestId",
                "sequence",
                "time"
              ]
            }
          }
        },
        "required": [
          "batchId",
          "events"
        ]
      },
      "OutcomeBatch": {
        "type": "object",
        "description": "Delayed outcome labels, joined to predictions by request id.",
        "properties": {
          "batchId": {
            "type": "string"
          },
          "source": {
            "type": "string"
          },
          "outcomes": {
            "type": "array",
            "maxItems": 10000,
            "items": {
              "type": "object",
              "properties": {
                "requestId": {
                  "type": "string"
                },
                "source": {
                  "type": "string"
                },
                "sequence": {
                  "type": "integer",
                  "minimum": 0
                },
                "outcome": {
                  "type": "string",
                  "description": "lower_snake_case, such as click or purchase"
                },
                "value": {
                  "type": "number",
                  "description": "Defaults to 1."
                },
                "time": {
                  "oneOf": [
                    {
                      "type": "string",
                      "format": "date-time"
                    },
                    {
                      "type": "integer"
                    }
                  ]
                }
              },
              "required": [
                "requestId",
                "sequence",
                "outcome",
                "time"
              ]
            }
          }
        },
        "required": [
          "batchId",
          "outcomes"
        ]
      },
      "ProfileBatch": {
        "type": "object",
        "description": "Pre-aggregated summaries from serving fleets, binned with the version's layout (see the telemetry-layout route): one per model, version, segment and 5-minute bucket. Numeric bins go as sparse `bins` ([bin, count] pairs) or dense `counts` (from bin 0).",
        "properties": {
          "batchId": {
            "type": "string"
          },
          "source": {
            "type": "string"
          },
          "profiles": {
            "type": "array",
            "maxItems": 1000,
            "items": {
              "type": "object",
              "additionalProperties": {}
            }
          }
        },
        "required": [
          "batchId",
          "profiles"
        ]
      },
      "ReferenceProfileUpload": {
        "type": "object",
        "description": "The training-data profile of a version. Numeric features as a sample (20 to 100,000 values; the bins are its quantiles), categorical ones as counts; optionally the training scores and the label rate of an outcome.",
        "properties": {
          "features": {
            "type": "array",
            "maxItems": 500,
            "items": {
              "type": "object",
              "properties": {
                "name": {
                  "type": "string"
                },
                "type": {
                  "type": "string",
                  "enum": [
                    "numeric",
                    "categorical"
                  ]
                },
                "sample": {
                  "type": "array",
                  "items": {
                    "type": "number"
                  }
                },
                "counts": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "integer"
                  }
                },
                "nulls": {
                  "type": "integer"
                }
              },
              "required": [
                "name",
                "type"
              ]
            }
          },
          "score": {
            "type": "object",
            "properties": {
              "sample": {
                "type": "array",
                "items": {
                  "type": "number"
                }
              }
            }
          },
          "target": {
            "type": "object",
            "description": "The training data's label rate, the reference of target drift.",
            "properties": {
              "outcome": {
                "type": "string"
              },
              "positives": {
                "type": "integer"
              },
              "n": {
                "type": "integer"
              }
            },
            "required": [
              "outcome",
              "positives",
              "n"
            ]
          }
        },
        "required": [
          "features"
        ]
      },
      "ReferenceProfileSummary": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": "string"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "features": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "feature": {
                  "type": "string"
                },
                "kind": {
                  "type": "string",
                  "enum": [
                    "numeric",
                    "categorical",
                    "log"
                  ]
                },
                "n": {
                  "type": "integer"
                },
                "layout": {
                  "type": "object",
                  "additionalProperties": {}
                }
              },
              "required": [
                "feature",
                "kind",
                "n"
              ]
            }
          }
        },
        "required": [
          "modelRef",
          "version",
          "createdAt",
          "features"
        ]
      },
      "FeatureDrift": {
        "type": "object",
        "properties": {
          "feature": {
            "type": "string"
          },
          "segment": {
            "type": "string"
          },
          "kind": {
            "type": "string",
            "description": "`prediction`: the score distribution (feature `__score`). `target`: the rate of positive labels of `outcome` on matured predictions (feature `__target`), window moved back by the policy's label maturity.",
            "enum": [
              "numeric",
              "categorical",
              "prediction",
              "target"
            ]
          },
          "n": {
            "type": "integer"
          },
          "referenceN": {
            "type": "integer"
          },
          "test": {
            "type": "string",
            "enum": [
              "ks",
              "chi-square",
              "psi",
              "none"
            ]
          },
          "severity": {
            "type": "string",
            "enum": [
              "none",
              "warning",
              "critical",
              "insufficient"
            ]
          },
          "flagged": {
            "type": "boolean"
          },
          "attributedTo": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "psi": {
            "type": [
              "number",
              "null"
            ]
          },
          "ksStatistic": {
            "type": [
              "number",
              "null"
            ]
          },
          "pValue": {
            "type": [
              "number",
              "null"
            ]
          },
          "jensenShannon": {
            "type": [
              "number",
              "null"
            ]
          },
          "wasserstein": {
            "type": [
              "number",
              "null"
            ]
          },
          "thresholds": {
            "type": "object",
            "properties": {
              "warning": {
                "type": "number"
              },
              "critical": {
                "type": "number"
              }
            },
            "required": [
              "warning",
              "critical"
            ]
          },
          "unseenCategories": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "outcome": {
            "type": "string",
            "description": "Target drift only."
          },
          "rates": {
            "type": "object",
            "description": "Target drift only. Positive-label rate in the window and in the reference.",
            "properties": {
              "current": {
                "type": [
                  "number",
                  "null"
                ]
              },
              "reference": {
                "type": [
                  "number",
                  "null"
                ]
              }
            },
            "required": [
              "current",
              "reference"
            ]
          }
        },
        "required": [
          "feature",
          "segment",
          "kind",
          "n",
          "referenceN",
          "test",
          "severity",
          "flagged",
          "psi",
          "ksStatistic",
          "pValue",
          "jensenShannon",
          "wasserstein",
          "thresholds"
        ]
      },
      "ContractViolation": {
        "type": "object",
        "properties": {
          "feature": {
            "type": "string"
          },
          "segment": {
            "type": "string"
          },
          "check": {
            "type": "string",
            "enum": [
              "missing-feature",
              "null-spike",
              "type-change",
              "unseen-categories",
              "out-of-range"
            ]
          },
          "value": {
            "type": "number"
          },
          "threshold": {
            "type": "number"
          },
          "firstBucket": {
            "type": "string",
            "format": "date-time"
          },
          "lastBucket": {
            "type": "string",
            "format": "date-time"
          },
          "open": {
            "type": "boolean"
          },
          "flagged": {
            "type": "boolean"
          },
          "attributedTo": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "feature",
          "segment",
          "check",
          "value",
          "threshold",
          "firstBucket",
          "lastBucket",
          "open",
          "flagged"
        ]
      },
      "DriftReport": {
        "type": "object",
        "description": "Drift of one version's traffic in a window against its reference, per feature and segment, with contract violations apart from statistical drift. A finding that one segment value explains is flagged on that segment only (`attributedTo` on all traffic).",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": [
              "string",
              "null"
            ]
          },
          "window": {
            "type": "object",
            "properties": {
              "from": {
                "type": "string",
                "format": "date-time"
              },
              "to": {
                "type": "string",
                "format": "date-time"
              }
            },
            "required": [
              "from",
              "to"
            ]
          },
          "reference": {
            "type": "object",
            "additionalProperties": {}
          },
          "alpha": {
            "type": "number"
          },
          "correction": {
            "type": "string",
            "enum": [
              "none",
              "bonferroni",
              "fdr"
            ]
          },
          "segments": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "events": {
            "type": "integer"
          },
          "features": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/FeatureDrift"
            }
          },
          "violations": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ContractViolation"
            }
          },
          "status": {
            "type": "object",
            "properties": {
              "drift": {
                "type": "string",
                "enum": [
                  "none",
                  "warning",
                  "critical",
                  "insufficient"
                ]
              },
              "openViolations": {
                "type": "integer"
              }
            },
            "required": [
              "drift",
              "openViolations"
            ]
          }
        },
        "required": [
          "modelRef",
          "version",
          "window",
          "reference",
          "alpha",
          "correction",
          "segments",
          "events",
          "features",
          "violations",
          "status"
        ]
      },
      "DriftCell": {
        "type": "object",
        "description": "One feature in one step of a drift series (the verdict a report of that step gives).",
        "properties": {
          "n": {
            "type": "integer"
          },
          "test": {
            "type": "string",
            "enum": [
              "ks",
              "chi-square",
              "psi",
              "none"
            ]
          },
          "severity": {
            "type": "string",
            "enum": [
              "none",
              "warning",
              "critical",
              "insufficient"
            ]
          },
          "psi": {
            "type": [
              "number",
              "null"
            ]
          },
          "pValue": {
            "type": [
              "number",
              "null"
            ]
          },
          "jensenShannon": {
            "type": [
              "number",
              "null"
            ]
          },
          "violations": {
            "type": "array",
            "description": "Contract checks failed by a stored row within the step.",
            "items": {
              "type": "string",
              "enum": [
                "missing-feature",
                "null-spike",
                "type-change",
                "unseen-categories",
                "out-of-range"
              ]
            }
          }
        },
        "required": [
          "n",
          "test",
          "severity",
          "psi",
          "pValue",
          "jensenShannon",
          "violations"
        ]
      },
      "DriftSeries": {
        "type": "object",
        "description": "Each feature's drift per step of a window (widened to whole steps) for one version and segment; `cells[i]` belongs to `steps[i]`.",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": [
              "string",
              "null"
            ]
          },
          "segment": {
            "type": "string"
          },
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          },
          "stepMs": {
            "type": "integer"
          },
          "reference": {
            "type": "object",
            "additionalProperties": {}
          },
          "steps": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "start": {
                  "type": "string",
                  "format": "date-time"
                },
                "end": {
                  "type": "string",
                  "format": "date-time"
                },
                "events": {
                  "type": "integer"
                }
              },
              "required": [
                "start",
                "end",
                "events"
              ]
            }
          },
          "features": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "feature": {
                  "type": "string"
                },
                "kind": {
                  "type": "string",
                  "enum": [
                    "numeric",
                    "categorical",
                    "prediction",
                    "target"
                  ]
                },
                "thresholds": {
                  "type": "object",
                  "properties": {
                    "warning": {
                      "type": "number"
                    },
                    "critical": {
                      "type": "number"
                    }
                  },
                  "required": [
                    "warning",
                    "critical"
                  ]
                },
                "cells": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/DriftCell"
                  }
                }
              },
              "required": [
                "feature",
                "kind",
                "thresholds",
                "cells"
              ]
            }
          },
          "violations": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ContractViolation"
            }
          }
        },
        "required": [
          "modelRef",
          "version",
          "segment",
          "from",
          "to",
          "stepMs",
          "reference",
          "steps",
          "features",
          "violations"
        ]
      },
      "FeatureDistribution": {
        "type": "object",
        "description": "A feature's reference and current distributions (shares per bin) with its drift verdict.",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": [
              "string",
              "null"
            ]
          },
          "segment": {
            "type": "string"
          },
          "feature": {
            "type": "string"
          },
          "window": {
            "type": "object",
            "properties": {
              "from": {
                "type": "string",
                "format": "date-time"
              },
              "to": {
                "type": "string",
                "format": "date-time"
              }
            },
            "required": [
              "from",
              "to"
            ]
          },
          "drift": {
            "$ref": "#/components/schemas/FeatureDrift"
          },
          "bins": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "label": {
                  "type": "string"
                },
                "lower": {
                  "type": [
                    "number",
                    "null"
                  ]
                },
                "upper": {
                  "type": [
                    "number",
                    "null"
                  ]
                },
                "reference": {
                  "type": "number"
                },
                "current": {
                  "type": "number"
                }
              },
              "required": [
                "label",
                "lower",
                "upper",
                "reference",
                "current"
              ]
            }
          }
        },
        "required": [
          "modelRef",
          "version",
          "segment",
          "feature",
          "window",
          "drift",
          "bins"
        ]
      },
      "ModelListItem": {
        "type": "object",
        "properties": {
          "entityRef": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "owner": {
            "type": [
              "string",
              "null"
            ]
          },
          "lifecycle": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "entityRef",
          "title",
          "owner",
          "lifecycle"
        ]
      },
      "ModelEvent": {
        "type": "object",
        "description": "Something that happened to a model's serving version (a Grafana annotation, a chart marker).",
        "properties": {
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "kind": {
            "type": "string",
            "enum": [
              "promotion-requested",
              "promotion-approved",
              "promotion-rejected",
              "rollout-started",
              "rollout-succeeded",
              "rollout-rolled-back",
              "rollout-aborted"
            ]
          },
          "version": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "text": {
            "type": "string"
          },
          "actor": {
            "type": [
              "string",
              "null"
            ]
          },
          "link": {
            "type": "object",
            "description": "What the event is about.",
            "properties": {
              "kind": {
                "type": "string",
                "enum": [
                  "promotion",
                  "rollout"
                ]
              },
              "id": {
                "type": "string"
              }
            },
            "required": [
              "kind",
              "id"
            ]
          }
        },
        "required": [
          "at",
          "kind",
          "version",
          "title",
          "text",
          "actor",
          "link"
        ]
      },
      "RolloutCheck": {
        "type": "object",
        "description": "One check of one analysis, with the measured value beside its threshold.",
        "properties": {
          "check": {
            "type": "string",
            "enum": [
              "error-rate",
              "p99-latency",
              "kpi",
              "agreement",
              "rank-correlation",
              "prediction-psi",
              "samples",
              "duration"
            ]
          },
          "verdict": {
            "type": "string",
            "enum": [
              "pass",
              "fail",
              "inconclusive",
              "collecting"
            ]
          },
          "value": {
            "type": "number",
            "nullable": true
          },
          "threshold": {
            "type": "number"
          },
          "comparator": {
            "type": "string",
            "enum": [
              "<=",
              ">="
            ]
          },
          "championN": {
            "type": "integer"
          },
          "challengerN": {
            "type": "integer"
          },
          "championValue": {
            "type": "number",
            "nullable": true
          },
          "pValue": {
            "type": "number",
            "nullable": true
          },
          "interval": {
            "type": "array",
            "nullable": true,
            "items": {
              "type": "number"
            }
          },
          "detail": {
            "type": "string"
          }
        }
      },
      "RolloutDecision": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "rolloutId": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "stage": {
            "type": "string",
            "enum": [
              "shadow",
              "canary",
              "full",
              "rolled-back",
              "aborted"
            ]
          },
          "step": {
            "type": "integer",
            "nullable": true
          },
          "weight": {
            "type": "number"
          },
          "action": {
            "type": "string",
            "enum": [
              "start",
              "hold",
              "advance",
              "complete",
              "rollback",
              "pause",
              "resume",
              "promote",
              "abort",
              "scale-down",
              "retry"
            ]
          },
          "actor": {
            "type": "string"
          },
          "reason": {
            "type": "string"
          },
          "checks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RolloutCheck"
            }
          }
        }
      },
      "Rollout": {
        "type": "object",
        "description": "A rollout of a challenger against the champion; weight and stage as last verified in the traffic router.",
        "properties": {
          "id": {
            "type": "string"
          },
          "modelRef": {
            "type": "string"
          },
          "version": {
            "type": "string"
          },
          "champion": {
            "type": "string",
            "nullable": true
          },
          "promotionId": {
            "type": "string",
            "nullable": true
          },
          "router": {
            "type": "string",
            "description": "The router kind; `plugin` for a router a backend module added.",
            "enum": [
              "istio",
              "kserve",
              "simulated",
              "plugin"
            ]
          },
          "target": {
            "type": "string"
          },
          "stage": {
            "type": "string",
            "enum": [
              "shadow",
              "canary",
              "full",
              "rolled-back",
              "aborted"
            ]
          },
          "status": {
            "type": "string",
            "enum": [
              "running",
              "paused",
              "pending",
              "succeeded",
              "rolled-back",
              "aborted"
            ]
          },
          "step": {
            "type": "integer",
            "nullable": true
          },
          "steps": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "weight": {
                  "type": "number"
                },
                "minDuration": {
                  "type": "string"
                },
                "minSamples": {
                  "type": "integer"
                }
              }
            }
          },
          "weight": {
            "type": "number"
          },
          "mirrored": {
            "type": "boolean"
          },
          "pending": {
            "type": "object",
            "nullable": true,
            "description": "A traffic move written ahead of the router and not yet verified in it."
          },
          "scaledDown": {
            "type": "boolean"
          },
          "stageStartedAt": {
            "type": "string",
            "format": "date-time"
          },
          "createdAt": {
            "type": "string",
            "format": "date-time"
          },
          "updatedAt": {
            "type": "string",
            "format": "date-time"
          },
          "endedAt": {
            "type": "string",
            "format": "date-time",
            "nullable": true
          },
          "headline": {
            "type": "string",
            "nullable": true
          }
        }
      },
      "RolloutDetail": {
        "allOf": [
          {
            "$ref": "#/components/schemas/Rollout"
          },
          {
            "type": "object",
            "properties": {
              "decisions": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/RolloutDecision"
                }
              }
            }
          }
        ]
      },
      "JudgeVerdict": {
        "type": "object",
        "description": "The statistical canary test over a window, for Argo Rollouts (web metric: successCondition result.verdict == \"pass\", failureCondition result.verdict == \"fail\") and Flagger (webhook: 2xx only on pass). Too few samples and evidence still being collected are \"inconclusive\", never a pass.",
        "properties": {
          "verdict": {
            "type": "string",
            "enum": [
              "pass",
              "fail",
              "inconclusive"
            ]
          },
          "modelRef": {
            "type": "string"
          },
          "champion": {
            "type": "string"
          },
          "challenger": {
            "type": "string"
          },
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          },
          "checks": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RolloutCheck"
            }
          }
        },
        "required": [
          "verdict",
          "modelRef",
          "champion",
          "challenger",
          "from",
          "to",
          "checks"
        ]
      },
      "FlaggerWebhookRequest": {
        "type": "object",
        "description": "What Flagger POSTs to a webhook (name, namespace and phase of its Canary, plus the webhook's metadata). Flagger cannot send headers, so the token may come in metadata.token.",
        "properties": {
          "name": {
            "type": "string"
          },
          "namespace": {
            "type": "string"
          },
          "phase": {
            "type": "string"
          },
          "checksum": {
            "type": "string"
          },
          "metadata": {
            "$ref": "#/components/schemas/FlaggerJudgeMetadata"
          }
        },
        "required": [
          "name",
          "namespace",
          "phase"
        ]
      },
      "FlaggerJudgeMetadata": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "champion": {
            "$ref": "#/components/schemas/VersionLabel"
          },
          "challenger": {
            "$ref": "#/components/schemas/VersionLabel"
          },
          "window": {
            "$ref": "#/components/schemas/JudgeWindow"
          },
          "since": {
            "type": "string",
            "format": "date-time"
          },
          "minSamples": {
            "$ref": "#/components/schemas/JudgeMinSamples"
          },
          "token": {
            "type": "string",
            "maxLength": 8192
          }
        }
      },
      "VersionLabel": {
        "type": "string",
        "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
      },
      "JudgeWindow": {
        "type": "string",
        "pattern": "^[0-9]+(ms|s|m|h|d)$"
      },
      "JudgeMinSamples": {
        "type": "string",
        "pattern": "^[1-9][0-9]{0,8}$"
      },
      "KpiWindow": {
        "type": "string",
        "description": "A duration such as 6h, 7d or 30d (at most 90d, the summaries' retention).",
        "pattern": "^[1-9][0-9]{0,5}(m|h|d)$"
      },
      "KpiStep": {
        "type": "string",
        "description": "Time between points; automatic (at most 40 points) when absent.",
        "enum": [
          "5m",
          "15m",
          "30m",
          "1h",
          "3h",
          "6h",
          "12h",
          "1d",
          "7d"
        ]
      },
      "KpiValue": {
        "type": "object",
        "description": "A value over a span. `lower`/`upper`: the 95 % Wilson score interval when the metric is a proportion (SciPy's binomtest(...).proportion_ci(method='wilson')), else null.",
        "properties": {
          "value": {
            "type": [
              "number",
              "null"
            ]
          },
          "lower": {
            "type": [
              "number",
              "null"
            ]
          },
          "upper": {
            "type": [
              "number",
              "null"
            ]
          },
          "numerator": {
            "type": [
              "number",
              "null"
            ]
          },
          "denominator": {
            "type": [
              "number",
              "null"
            ]
          }
        },
        "required": [
          "value",
          "lower",
          "upper",
          "numerator",
          "denominator"
        ]
      },
      "KpiPoint": {
        "allOf": [
          {
            "$ref": "#/components/schemas/KpiValue"
          },
          {
            "type": "object",
            "properties": {
              "start": {
                "type": "string",
                "format": "date-time"
              },
              "end": {
                "type": "string",
                "format": "date-time"
              }
            },
            "required": [
              "start",
              "end"
            ]
          }
        ]
      },
      "KpiSlo": {
        "type": [
          "object",
          "null"
        ],
        "properties": {
          "min": {
            "type": [
              "number",
              "null"
            ]
          },
          "max": {
            "type": [
              "number",
              "null"
            ]
          }
        }
      },
      "KpiMetric": {
        "type": "object",
        "description": "A KPI of the Model policy (kind kpi), or an operational metric every model has: throughput (predictions/s), error_rate, latency_p50/p95/p99 (ms, within latencyRelativeError of the sample's order statistic at rank floor(q·(n−1))), cost_per_1k (currency per 1,000 predictions; all traffic only, not per version).",
        "properties": {
          "name": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "kind": {
            "type": "string",
            "enum": [
              "kpi",
              "operational"
            ]
          },
          "unit": {
            "type": "string",
            "enum": [
              "ratio",
              "per-second",
              "ms",
              "currency"
            ]
          },
          "direction": {
            "type": "string",
            "enum": [
              "higher-is-better",
              "lower-is-better"
            ]
          },
          "definition": {
            "type": "string"
          },
          "proportion": {
            "type": "boolean"
          },
          "slo": {
            "$ref": "#/components/schemas/KpiSlo"
          },
          "sloStatus": {
            "type": "string",
            "enum": [
              "ok",
              "breach",
              "no-data"
            ]
          },
          "series": {
            "type": "array",
            "description": "All traffic (segment \"*\") first, then each value of the segment tags asked for.",
            "items": {
              "type": "object",
              "properties": {
                "segment": {
                  "type": "string"
                },
                "current": {
                  "$ref": "#/components/schemas/KpiValue"
                },
                "points": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/KpiPoint"
                  }
                }
              },
              "required": [
                "segment",
                "current",
                "points"
              ]
            }
          }
        },
        "required": [
          "name",
          "title",
          "kind",
          "unit",
          "direction",
          "definition",
          "proportion",
          "slo",
          "sloStatus",
          "series"
        ]
      },
      "KpiReport": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          },
          "stepMs": {
            "type": "integer"
          },
          "version": {
            "type": [
              "string",
              "null"
            ]
          },
          "segmentTags": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "provisionalFrom": {
            "type": "string",
            "format": "date-time",
            "description": "Labels of predictions made after this may still arrive (the policy's labelMaturity)."
          },
          "currency": {
            "type": "string"
          },
          "latencyRelativeError": {
            "type": "number"
          },
          "metrics": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/KpiMetric"
            }
          },
          "versions": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "version": {
                  "type": "string"
                },
                "from": {
                  "type": "string",
                  "format": "date-time"
                },
                "to": {
                  "type": "string",
                  "format": "date-time"
                },
                "predictions": {
                  "type": "integer"
                }
              },
              "required": [
                "version",
                "from",
                "to",
                "predictions"
              ]
            }
          },
          "versionChanges": {
            "type": "array",
            "description": "Steps where the version serving most predictions changed (change markers).",
            "items": {
              "type": "object",
              "properties": {
                "at": {
                  "type": "string",
                  "format": "date-time"
                },
                "from": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "to": {
                  "type": "string"
                }
              },
              "required": [
                "at",
                "from",
                "to"
              ]
            }
          }
        },
        "required": [
          "modelRef",
          "from",
          "to",
          "stepMs",
          "version",
          "segmentTags",
          "provisionalFrom",
          "currency",
          "latencyRelativeError",
          "metrics",
          "versions",
          "versionChanges"
        ]
      },
      "KpiOverview": {
        "type": "object",
        "properties": {
          "from": {
            "type": "string",
            "format": "date-time"
          },
          "to": {
            "type": "string",
            "format": "date-time"
          },
          "stepMs": {
            "type": "integer"
          },
          "currency": {
            "type": "string"
          },
          "items": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "modelRef": {
                  "type": "string"
                },
                "title": {
                  "type": "string"
                },
                "owner": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "lifecycle": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "sloStatus": {
                  "type": "string",
                  "enum": [
                    "ok",
                    "breach",
                    "no-data"
                  ]
                },
                "breaches": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                },
                "costPer1k": {
                  "type": [
                    "number",
                    "null"
                  ]
                },
                "predictions": {
                  "type": "integer"
                },
                "metrics": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": {}
                  }
                }
              },
              "required": [
                "modelRef",
                "title",
                "owner",
                "lifecycle",
                "sloStatus",
                "breaches",
                "costPer1k",
                "predictions",
                "metrics"
              ]
            }
          }
        },
        "required": [
          "from",
          "to",
          "stepMs",
          "currency",
          "items"
        ]
      },
      "RolloutActionRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "reason": {
            "type": "string",
            "maxLength": 2000
          }
        }
      },
      "AlertKind": {
        "type": "string",
        "enum": [
          "contract-violation",
          "data-drift",
          "latency-regression",
          "canary-rollback",
          "feature-store-outage"
        ]
      },
      "RunbookSummary": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "title": {
            "type": "string"
          },
          "source": {
            "type": "string",
            "enum": [
              "model",
              "builtin"
            ]
          },
          "alerts": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/AlertKind"
            }
          },
          "location": {
            "type": "string"
          }
        },
        "required": [
          "id",
          "title",
          "source",
          "alerts"
        ]
      },
      "Runbook": {
        "allOf": [
          {
            "$ref": "#/components/schemas/RunbookSummary"
          },
          {
            "type": "object",
            "properties": {
              "markdown": {
                "type": "string",
                "description": "The runbook's Markdown as written; render it without raw HTML."
              }
            },
            "required": [
              "markdown"
            ]
          }
        ]
      },
      "RunbookList": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/RunbookSummary"
            }
          },
          "byAlert": {
            "type": "object",
            "description": "The runbook id each alert links to.",
            "additionalProperties": {
              "type": "string"
            }
          }
        },
        "required": [
          "modelRef",
          "items",
          "byAlert"
        ]
      },
      "LiveContext": {
        "type": "object",
        "properties": {
          "modelRef": {
            "type": "string"
          },
          "at": {
            "type": "string",
            "format": "date-time"
          },
          "alerts": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "kind": {
                  "$ref": "#/components/schemas/AlertKind"
                },
                "severity": {
                  "type": "string",
                  "enum": [
                    "page",
                    "warning"
                  ]
                },
                "summary": {
                  "type": "string"
                },
                "feature": {
                  "type": "string"
                },
                "segment": {
                  "type": "string"
                },
                "since": {
                  "type": "string"
                },
                "runbookId": {
                  "type": "string"
                }
              },
              "required": [
                "kind",
                "severity",
                "summary",
                "since",
                "runbookId"
              ]
            }
          },
          "rollout": {
            "type": [
              "object",
              "null"
            ],
            "properties": {
              "id": {
                "type": "string"
              },
              "version": {
                "type": "string"
              },
              "champion": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "status": {
                "type": "string"
              },
              "stage": {
                "type": "string"
              },
              "weight": {
                "type": "number"
              },
              "headline": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "lastDecision": {
                "type": [
                  "object",
                  "null"
                ],
                "properties": {
                  "at": {
                    "type": "string"
                  },
                  "action": {
                    "type": "string"
                  },
                  "actor": {
                    "type": "string"
                  },
                  "reason": {
                    "type": "string"
                  }
                },
                "required": [
                  "at",
                  "action",
                  "actor",
                  "reason"
                ]
              }
            },
            "required": [
              "id",
              "version",
              "champion",
              "status",
              "stage",
              "weight",
              "headline",
              "lastDecision"
            ]
          },
          "topDrifting": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "feature": {
                  "type": "string"
                },
                "segment": {
                  "type": "string"
                },
                "test": {
                  "type": "string"
                },
                "psi": {
                  "type": [
                    "number",
                    "null"
                  ]
                },
                "pValue": {
                  "type": [
                    "number",
                    "null"
                  ]
                },
                "severity": {
                  "type": "string"
                }
              },
              "required": [
                "feature",
                "segment",
                "test",
                "psi",
                "pValue",
                "severity"
              ]
            }
          },
          "lastDeploy": {
            "type": [
              "object",
              "null"
            ],
            "properties": {
              "version": {
                "type": "string"
              },
              "since": {
                "type": "string"
              },
              "setBy": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "approvedBy": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "override": {
                "type": "boolean"
              }
            },
            "required": [
              "version",
              "since",
              "setBy",
              "approvedBy",
              "override"
            ]
          },
          "actions": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "action": {
                  "type": "string",
                  "enum": [
                    "rollback",
                    "pause"
                  ]
                },
                "rolloutId": {
                  "type": "string"
                },
                "label": {
                  "type": "string"
                },
                "allowed": {
                  "type": "boolean"
                },
                "refusal": {
                  "type": "string"
                },
                "permission": {
                  "type": "string"
                }
              },
              "required": [
                "action",
                "rolloutId",
                "label",
                "allowed",
                "permission"
              ]
            }
          }
        },
        "required": [
          "modelRef",
          "at",
          "alerts",
          "rollout",
          "topDrifting",
          "lastDeploy",
          "actions"
        ]
      }
    },
    "responses": {
      "ErrorResponse": {
        "description": "An error response from the backend.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    },
    "parameters": {
      "namespace": {
        "name": "namespace",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$"
        }
      },
      "name": {
        "name": "name",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$"
        }
      },
      "version": {
        "name": "version",
        "in": "path",
        "required": true,
        "schema": {
          "type": "string",
          "pattern": "^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$"
        }
      },
      "depth": {
        "name": "depth",
        "in": "query",
        "required": false,
        "description": "How many edges away from the root to go (1..10, default 4).",
        "schema": {
          "type": "string",
          "pattern": "^([1-9]|10)$"
        }
      }
    }
  },
  "paths": {
    "/health": {
      "get": {
        "operationId": "GetHealth",
        "description": "Liveness of the plugin and its database. Needs no token.",
        "responses": {
          "200": {
            "description": "The plugin answers and its database is reachable.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          },
          "503": {
            "description": "The database is not reachable.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Health"
                }
              }
            }
          }
        }
      }
    },
    "/models/{namespace}/{name}/policy": {
      "get": {
        "operationId": "GetModelPolicy",
        "description": "The policy of a Model entity with defaults resolved, and the same policy in words.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The resolved policy.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModelPolicyView"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions": {
      "get": {
        "operationId": "ListModelVersions",
        "description": "The versions of a model, newest first, each with its metrics beside the champion's.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The versions.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModelVersionList"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      },
      "post": {
        "operationId": "RegisterModelVersion",
        "description": "Registers a version of a Model entity with its lineage record. CI calls this with a token that may do nothing else. The body may not exceed 256 kB.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RegisterVersionRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The version was registered.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModelVersion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "413": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions/{version}": {
      "get": {
        "operationId": "GetModelVersion",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "responses": {
          "200": {
            "description": "The version and its lineage record.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ModelVersion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions/{version}/gates": {
      "post": {
        "operationId": "EvaluateModelVersionGates",
        "description": "Runs the model's validation gates on the version again (they also run when it is registered).",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "responses": {
          "200": {
            "description": "The new evaluation, which is now the version's `gates`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GateSummary"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions/{version}/lineage": {
      "get": {
        "operationId": "GetModelVersionLineage",
        "description": "Dataset versions → training run → this version → deployments, within the depth bound.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          },
          {
            "$ref": "#/components/parameters/depth"
          }
        ],
        "responses": {
          "200": {
            "description": "The lineage graph; `truncated` tells whether nodes beyond the depth were left out.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LineageGraph"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/datasets/{namespace}/{name}/versions/{version}/lineage": {
      "get": {
        "operationId": "GetDatasetVersionLineage",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          },
          {
            "$ref": "#/components/parameters/depth"
          }
        ],
        "responses": {
          "200": {
            "description": "The lineage graph around the dataset version.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LineageGraph"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/datasets/{namespace}/{name}/versions/{version}/models": {
      "get": {
        "operationId": "GetDatasetVersionModels",
        "description": "Which model versions were trained on this dataset version, and which of them serve traffic now.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "responses": {
          "200": {
            "description": "The model versions.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DatasetConsumers"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/sync/mlflow": {
      "get": {
        "operationId": "GetMlflowSyncStatus",
        "description": "The outcome of the last MLflow sync (errors included), from any backend replica.",
        "responses": {
          "200": {
            "description": "The status.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SyncStatus"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions/{version}/promotions": {
      "post": {
        "operationId": "RequestPromotion",
        "description": "Requests promotion of a version to an environment; someone else decides it.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PromotionRequest"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The pending request.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Promotion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/production": {
      "get": {
        "operationId": "GetProductionAt",
        "description": "Which version held the production (champion) alias at time `at` (default now), and who approved it.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "at",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The answer; `version` is absent when nothing held the alias then.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProductionAt"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/telemetry/predictions": {
      "post": {
        "operationId": "IngestPredictions",
        "description": "Batched prediction events. Needs `mlops.telemetry.ingest`. 2xx only after commit; 4xx means the input is invalid and must not be retried; 5xx and 429 may be retried with the same batch id. Bodies up to 8 MB.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PredictionBatch"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Committed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "413": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/telemetry/outcomes": {
      "post": {
        "operationId": "IngestOutcomes",
        "description": "Delayed outcome labels. Needs `mlops.telemetry.ingest`. 2xx only after commit; 4xx means the input is invalid and must not be retried; 5xx and 429 may be retried with the same batch id. Bodies up to 8 MB.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/OutcomeBatch"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Committed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "413": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/telemetry/profiles": {
      "post": {
        "operationId": "IngestProfiles",
        "description": "Pre-aggregated summaries from serving fleets. Needs `mlops.telemetry.ingest`. 2xx only after commit; 4xx means the input is invalid and must not be retried; 5xx and 429 may be retried with the same batch id. Bodies up to 8 MB.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProfileBatch"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Committed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IngestResult"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "413": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/versions/{version}/profile": {
      "put": {
        "operationId": "PutReferenceProfile",
        "description": "Stores the training-data profile of a version (needs `mlops.version.register`). Profiles are immutable, and must arrive before the version serves traffic: 409 otherwise.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReferenceProfileUpload"
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "Stored.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReferenceProfileSummary"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "413": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      },
      "get": {
        "operationId": "GetReferenceProfile",
        "description": "The profile whose bins the version's telemetry uses (its own, else the model's newest), including each numeric feature's layout: serving fleets bin their summaries with it.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "$ref": "#/components/parameters/version"
          }
        ],
        "responses": {
          "200": {
            "description": "The profile.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReferenceProfileSummary"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/drift": {
      "get": {
        "operationId": "GetDriftReport",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "description": "Defaults to the version with the most traffic in the window.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The report.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DriftReport"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models": {
      "get": {
        "operationId": "ListModels",
        "description": "Every Model in the catalog the caller may read (for pickers and template variables).",
        "responses": {
          "200": {
            "description": "Models in entity-ref order.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ModelListItem"
                      }
                    }
                  },
                  "required": [
                    "items"
                  ]
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/drift/series": {
      "get": {
        "operationId": "GetDriftSeries",
        "description": "Each feature's drift per step over the last `window` (default 24h) or `from`–`to`, for one version (default: the busiest) and segment, computed by the same engine as the drift report; with the contract violations in the window. The Grafana drift panel reads this.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "window",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiWindow"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "step",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiStep"
            }
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/VersionLabel"
            }
          },
          {
            "name": "segment",
            "in": "query",
            "required": false,
            "description": "All traffic (\"all\", the default) or tag=value of one of the model's drift segments.",
            "schema": {
              "type": "string",
              "maxLength": 200
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The series.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DriftSeries"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/drift/distribution": {
      "get": {
        "operationId": "GetFeatureDistribution",
        "description": "One feature's reference and current distributions over the drift report's window (or `from`–`to`), with the verdict the drift report gives it.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "feature",
            "in": "query",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/VersionLabel"
            }
          },
          {
            "name": "segment",
            "in": "query",
            "required": false,
            "description": "All traffic (\"all\", the default) or tag=value of one of the model's drift segments.",
            "schema": {
              "type": "string",
              "maxLength": 200
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The distributions.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FeatureDistribution"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/events": {
      "get": {
        "operationId": "ListModelEvents",
        "description": "Promotions and rollouts of the model within the last `window` (default 7d) or `from`–`to`, oldest first: Grafana annotations and chart markers.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "window",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiWindow"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The events.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ModelEvent"
                      }
                    }
                  },
                  "required": [
                    "items"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/kpis": {
      "get": {
        "operationId": "GetModelKpis",
        "description": "The model's KPIs (from its policy) and operational metrics over the last `window` (default 24h) or from `from` to `to`: a value for the whole window and a series per step, for all traffic and per value of each segment tag asked for, with the versions that served and the steps where the serving version changed. Read from summaries and label rollups only, so a month costs what an hour does. The portal and the Grafana data source read this.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "window",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiWindow"
            }
          },
          {
            "name": "from",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "to",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "step",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiStep"
            }
          },
          {
            "name": "version",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/VersionLabel"
            }
          },
          {
            "name": "segments",
            "in": "query",
            "required": false,
            "description": "Comma-separated segment tags to slice by, such as \"platform\".",
            "schema": {
              "type": "string",
              "pattern": "^[A-Za-z][A-Za-z0-9_.-]{0,62}(,[A-Za-z][A-Za-z0-9_.-]{0,62}){0,9}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The report.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KpiReport"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/kpis": {
      "get": {
        "operationId": "GetKpiOverview",
        "description": "Every Model in the catalog the caller may read, with its KPIs, cost per 1,000 predictions and SLO status over the last `window` (default 7d), each with an all-traffic series: the models overview table.",
        "parameters": [
          {
            "name": "window",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiWindow"
            }
          },
          {
            "name": "step",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/KpiStep"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "One row per model.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KpiOverview"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/evaluation": {
      "get": {
        "operationId": "GetEvaluation",
        "description": "Matured-label evaluation per UTC day (AUC, log loss, precision and recall at `threshold`, NDCG@k over `queryId` groups), from predictions joined with the outcome the model's rollout KPI counts. Predictions younger than the policy's labelMaturity are not judged.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "days",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^([1-9]|[1-8][0-9]|90)$"
            }
          },
          {
            "name": "threshold",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^(0(\\.[0-9]+)?|1(\\.0+)?)$"
            }
          },
          {
            "name": "k",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[1-9][0-9]{0,2}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "One row per day with matured predictions.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "modelRef": {
                      "type": "string"
                    },
                    "outcome": {
                      "type": "string"
                    },
                    "threshold": {
                      "type": "number"
                    },
                    "k": {
                      "type": "integer"
                    },
                    "maturity": {
                      "type": "string"
                    },
                    "days": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "day": {
                            "type": "string",
                            "format": "date"
                          },
                          "n": {
                            "type": "integer"
                          },
                          "positives": {
                            "type": "integer"
                          },
                          "auc": {
                            "type": [
                              "number",
                              "null"
                            ]
                          },
                          "logLoss": {
                            "type": [
                              "number",
                              "null"
                            ]
                          },
                          "precision": {
                            "type": [
                              "number",
                              "null"
                            ]
                          },
                          "recall": {
                            "type": [
                              "number",
                              "null"
                            ]
                          },
                          "ndcg": {
                            "type": [
                              "number",
                              "null"
                            ]
                          }
                        },
                        "required": [
                          "day",
                          "n",
                          "positives",
                          "auc",
                          "logLoss",
                          "precision",
                          "recall",
                          "ndcg"
                        ]
                      }
                    }
                  },
                  "required": [
                    "modelRef",
                    "outcome",
                    "threshold",
                    "k",
                    "maturity",
                    "days"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/retrain-triggers": {
      "get": {
        "operationId": "ListRetrainTriggers",
        "description": "Retraining triggers, newest first, including those the rate limit held back.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "pattern": "^[1-9][0-9]{0,2}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The triggers.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "id": {
                            "type": "string"
                          },
                          "modelRef": {
                            "type": "string"
                          },
                          "reason": {
                            "type": "string",
                            "enum": [
                              "schedule",
                              "drift",
                              "performance",
                              "manual"
                            ]
                          },
                          "severity": {
                            "type": "string",
                            "enum": [
                              "normal",
                              "critical"
                            ]
                          },
                          "status": {
                            "type": "string",
                            "enum": [
                              "submitted",
                              "recorded",
                              "suppressed",
                              "failed"
                            ]
                          },
                          "approvalBeforeCanary": {
                            "type": "boolean"
                          },
                          "details": {
                            "type": "object",
                            "additionalProperties": {}
                          },
                          "action": {
                            "type": [
                              "object",
                              "null"
                            ],
                            "additionalProperties": {}
                          },
                          "createdAt": {
                            "type": "string",
                            "format": "date-time"
                          }
                        },
                        "required": [
                          "id",
                          "modelRef",
                          "reason",
                          "severity",
                          "status",
                          "approvalBeforeCanary",
                          "details",
                          "action",
                          "createdAt"
                        ]
                      }
                    }
                  },
                  "required": [
                    "items"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "GetMetrics",
        "description": "Prometheus text format (drift scores, contract violations, triggers, ingestion counters). Needs `mlops.model.read`.",
        "responses": {
          "200": {
            "description": "Metrics.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/promotions": {
      "get": {
        "operationId": "ListPromotions",
        "parameters": [
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "pending",
                "approved",
                "rejected",
                "expired"
              ]
            }
          },
          {
            "name": "model",
            "in": "query",
            "required": false,
            "description": "A Model entity ref.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Requests, newest first.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Promotion"
                      }
                    }
                  },
                  "required": [
                    "items"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/promotions/{id}": {
      "get": {
        "operationId": "GetPromotion",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f-]{36}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The request, with whether the caller may decide it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Promotion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/promotions/{id}/approve": {
      "post": {
        "operationId": "ApprovePromotion",
        "description": "Only a person other than the requester and the version's creator, holding mlops.promotion.approve.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f-]{36}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PromotionDecision"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The approved request with its evidence snapshot.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Promotion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/promotions/{id}/reject": {
      "post": {
        "operationId": "RejectPromotion",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f-]{36}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/PromotionDecision"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The rejected request.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Promotion"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "503": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/rollouts": {
      "get": {
        "operationId": "ListModelRollouts",
        "parameters": [
          {
            "name": "namespace",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The model's rollouts, newest first.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "items": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Rollout"
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/judge/models/{namespace}/{name}": {
      "get": {
        "operationId": "JudgeCanary",
        "description": "Champion against challenger over the last `window` (default 15m) or since `since`, with the model's rollout analysis (error rate, p99 latency, the KPI by a two-proportion test, samples). For an Argo Rollouts web metric; always 200 with the verdict in the body.",
        "parameters": [
          {
            "name": "namespace",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "champion",
            "in": "query",
            "required": false,
            "description": "The champion's version (default the champion alias).",
            "schema": {
              "$ref": "#/components/schemas/VersionLabel"
            }
          },
          {
            "name": "challenger",
            "in": "query",
            "required": false,
            "description": "The challenger's version (default the challenger alias).",
            "schema": {
              "$ref": "#/components/schemas/VersionLabel"
            }
          },
          {
            "name": "window",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/JudgeWindow"
            }
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            }
          },
          {
            "name": "minSamples",
            "in": "query",
            "required": false,
            "schema": {
              "$ref": "#/components/schemas/JudgeMinSamples"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The verdict and every check.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JudgeVerdict"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/judge/flagger/models/{namespace}/{name}": {
      "post": {
        "operationId": "JudgeCanaryForFlagger",
        "description": "The same test as a Flagger `rollout` webhook: 200 on pass, 412 with the verdict otherwise (Flagger counts any non-2xx as a failed check). Versions, window and token come from the webhook's metadata.",
        "parameters": [
          {
            "name": "namespace",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/FlaggerWebhookRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Every check passes.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JudgeVerdict"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "412": {
            "description": "A check fails or the evidence is not yet enough; the verdict says which.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JudgeVerdict"
                }
              }
            }
          }
        }
      }
    },
    "/rollouts/{id}": {
      "get": {
        "operationId": "GetRollout",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f-]{36}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The rollout and its decision log, newest first.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RolloutDetail"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/rollouts/{id}/{action}": {
      "post": {
        "operationId": "ActOnRollout",
        "description": "Pause, resume, promote now, abort or roll back; each needs its own permission (mlops.rollout.<action>) and is audited.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[0-9a-f-]{36}$"
            }
          },
          {
            "name": "action",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "enum": [
                "pause",
                "resume",
                "promote",
                "abort",
                "rollback"
              ]
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RolloutActionRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The rollout after the action, as far as the router could carry it out now.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RolloutDetail"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "409": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/runbooks": {
      "get": {
        "operationId": "ListRunbooks",
        "description": "The model's own runbooks (Markdown beside its catalog-info.yaml) and the built-in ones, with the runbook each alert links to.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The runbooks.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/RunbookList"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/runbooks/{id}": {
      "get": {
        "operationId": "GetRunbook",
        "description": "One runbook's Markdown. A model's own is read through Backstage's URL reader from beside the entity's location; a path that leaves the location's folder, or a symbolic link below an allowed local directory, is refused with 403.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          },
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "pattern": "^[a-z0-9-]{1,200}$"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The runbook.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Runbook"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/live-context": {
      "get": {
        "operationId": "GetLiveContext",
        "description": "What an on-call engineer needs beside a runbook: open alerts (contract, drift, canary), the newest rollout and its last decision, the top drifting features, the version serving production and who approved it, and the rollout actions with whether the caller may take them.",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The live context.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LiveContext"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/alert-rules": {
      "get": {
        "operationId": "GetAlertRules",
        "description": "A Prometheus rule file (YAML, for `rule_files` or a PrometheusRule's spec) with one group per Model: contract violation (page), drift (warning), rolled-back canary (page), p99 latency over budget (page), each with `severity` and `runbook_url` pointing at the model's runbook page.",
        "responses": {
          "200": {
            "description": "The rule file.",
            "content": {
              "application/yaml": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    },
    "/models/{namespace}/{name}/alert-rules": {
      "get": {
        "operationId": "GetModelAlertRules",
        "description": "The rule file of one Model (as in `/alert-rules`).",
        "parameters": [
          {
            "$ref": "#/components/parameters/namespace"
          },
          {
            "$ref": "#/components/parameters/name"
          }
        ],
        "responses": {
          "200": {
            "description": "The rule file.",
            "content": {
              "application/yaml": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "403": {
            "$ref": "#/components/responses/ErrorResponse"
          },
          "404": {
            "$ref": "#/components/responses/ErrorResponse"
          }
        }
      }
    }
  }
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
