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
    }
  }
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
