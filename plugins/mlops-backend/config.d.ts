export interface Config {
  /** ModelRails backend plugin. */
  mlops?: {
    demo?: {
      /**
       * Seed the embedded demo: versions, lineage, aliases and deployments for the demo models in
       * catalog/. Models that already have versions are left alone.
       * @visibility backend
       */
      enabled?: boolean;
      /**
       * Also send the days of history the drift backtest looks back on (default true). The replica
       * test turns it off: three processes would each send it.
       * @visibility backend
       */
      history?: boolean;
    };
    /** Runbooks referenced from Model entities (spec.runbooks). */
    runbooks?: {
      /**
       * Local directories (relative to the backend's working directory) whose files Backstage's URL
       * reader may read as `file:` URLs: the folders of the catalog's file locations. Symbolic links
       * below them are never followed. Runbooks beside entities from GitHub, GitLab and the like are
       * read through Backstage's integrations (`integrations`, `backend.reading.allow`) instead.
       * @visibility backend
       */
      localDirectories?: string[];
      /**
       * The portal's base URL for links in alert rules and notifications (default: app.baseUrl).
       * @visibility backend
       */
      portalBaseUrl?: string;
    };
    /** The Prometheus alert rules served at /alert-rules. */
    alerts?: {
      /**
       * How long a drift finding must hold before ModelDataDrift warns, as a Prometheus duration
       * (default 15m).
       * @visibility backend
       */
      dataDriftFor?: string;
    };
    /** Telemetry ingestion and retention. */
    telemetry?: {
      /**
       * Share of prediction events whose raw features are kept (default 0.01), chosen by request id.
       * @visibility backend
       */
      rawSampleRate?: number;
      /**
       * How long raw events and outcome labels are kept, such as 7d (default). Older events are
       * dropped at ingestion.
       * @visibility backend
       */
      rawRetention?: string;
      /**
       * How long summaries are kept at all: their daily rows (default 90d).
       * @visibility backend
       */
      summaryRetention?: string;
      /**
       * How long hourly summary rows are kept (default 30d; at most summaryRetention). Older
       * ranges are answered from daily rows.
       * @visibility backend
       */
      hourlyRetention?: string;
      /**
       * How long 5-minute summary rows are kept (default 48h; at most hourlyRetention). Older
       * ranges are answered from hourly rows: a series over them gets a step of an hour or more.
       * @visibility backend
       */
      fiveMinuteRetention?: string;
    };
    /**
     * Prices of serving: cost per 1,000 predictions is each model's replicas (its policy's
     * `cost.replicas`) times its environment's price per replica-hour, over its predictions.
     */
    cost?: {
      /** Shown beside costs (default USD). @visibility backend */
      currency?: string;
      /** Per environment named in Model policies (`cost.environment`). @visibility backend */
      environments?: { [environment: string]: { replicaHourCost: number } };
    };
    kpis?: {
      /**
       * Label counts of predictions younger than this (and than the policy's labelMaturity) are
       * recounted every minute (default 1h); shorten it at high traffic. @visibility backend
       */
      recountWindow?: string;
    };
    /** The Kubernetes API for Argo Workflows (retraining). Off when absent. */
    kubernetes?: {
      /**
       * Use the pod's own service account (ignores url, token, caData).
       * @visibility backend
       */
      inCluster?: boolean;
      /**
       * API server URL, e.g. https://kubernetes.example.com
       * @visibility backend
       */
      url?: string;
      /**
       * Service-account token.
       * @visibility secret
       */
      token?: string;
      /**
       * Base64 PEM of the cluster's certificate authority.
       * @visibility backend
       */
      caData?: string;
      /**
       * Skip TLS verification (only for a local test server).
       * @visibility backend
       */
      skipTLSVerify?: boolean;
    };
    /**
     * Hosts the backend may call at URLs written in catalog entities (retraining webhooks):
     * `ci.example.com`, `*.example.com` (its subdomains), `ci.example.com:8443`. The hosts of
     * mlflow.baseUrl and kubernetes.url are allowed too; any other host is refused, with the
     * reason on the retraining trigger.
     */
    outbound?: {
      /** @visibility backend */
      allowedHosts?: string[];
    };
    /** Sync model versions, runs and aliases from an MLflow tracking server. Off when absent. */
    mlflow?: {
      /**
       * Base URL of the tracking server, e.g. https://mlflow.example.com
       * @visibility backend
       */
      baseUrl: string;
      /**
       * URL of MLflow's UI for run links, when it differs from baseUrl.
       * @visibility backend
       */
      uiUrl?: string;
      /**
       * Bearer token (Databricks, or a proxy in front of MLflow).
       * @visibility secret
       */
      token?: string;
      /**
       * User name for MLflow's basic authentication.
       * @visibility backend
       */
      username?: string;
      /**
       * Password for MLflow's basic authentication.
       * @visibility secret
       */
      password?: string;
      /**
       * Minutes between syncs (default 5). With webhooks on, the poll is only the safety net.
       * @visibility backend
       */
      intervalMinutes?: number;
      /**
       * The secret of MLflow 3 webhooks pointed at POST /api/mlops/mlflow/webhooks: a signed
       * `model_version.created` or alias event syncs that model at once. Webhooks are refused
       * (404) while this is not set.
       * @visibility secret
       */
      webhookSecret?: string;
    };
  };
}
