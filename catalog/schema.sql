-- assetscout catalog schema, format version 1 (catalog/store.py FORMAT_VERSION).
-- Every fact row carries `origin` (the file it came from) and `source` (the reader),
-- so that re-ingesting a file replaces exactly what that file said and nothing else.

CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- What one source file says about one asset, verbatim (as JSON), with its hash.
CREATE TABLE IF NOT EXISTS record (
    asset_id     VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    line         INTEGER,
    kind         VARCHAR NOT NULL,
    priority     INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    payload      JSON NOT NULL,
    ingested_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (asset_id, origin)
);

-- The merged view of an asset over all its records (rebuilt for touched assets).
CREATE TABLE IF NOT EXISTS asset (
    asset_id       VARCHAR PRIMARY KEY,
    kind           VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    title          VARCHAR,
    summary        VARCHAR,
    card_text      VARCHAR,
    source         VARCHAR NOT NULL,      -- reader of the highest-priority record
    source_uri     VARCHAR NOT NULL,      -- its file
    sources        VARCHAR[] NOT NULL,    -- every reader that describes this asset
    license_raw    VARCHAR,
    license_spdx   VARCHAR,
    license_class  VARCHAR NOT NULL,
    non_commercial BOOLEAN,
    tasks          VARCHAR[] NOT NULL,
    library        VARCHAR,
    languages      VARCHAR[] NOT NULL,
    tags           VARCHAR[] NOT NULL,
    organization   VARCHAR,
    access         VARCHAR,
    parameters     BIGINT,
    size_bytes     BIGINT,
    created        DATE,
    modified       DATE,
    downloads      BIGINT,
    likes          BIGINT,
    url            VARCHAR,
    aliases        VARCHAR[] NOT NULL,
    extra          JSON,
    content_hash   VARCHAR NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS asset_dataset (
    asset_id     VARCHAR NOT NULL,
    dataset_name VARCHAR NOT NULL,        -- as the source wrote it
    dataset_id   VARCHAR,                 -- resolved dataset asset, NULL if unresolved
    role         VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS lineage (
    child_id    VARCHAR NOT NULL,
    parent_name VARCHAR NOT NULL,         -- as written (often already an asset id)
    parent_id   VARCHAR,                  -- resolved asset id, NULL if not in the catalog
    relation    VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS evaluation (
    asset_id     VARCHAR NOT NULL,
    task         VARCHAR,
    dataset_name VARCHAR,
    dataset_id   VARCHAR,                 -- the dataset asset (a benchmark variant resolves to its dataset)
    dataset_key  VARCHAR,                 -- normalized benchmark name (datasets.alias_key)
    split        VARCHAR,
    config       VARCHAR,
    metric       VARCHAR NOT NULL,
    metric_key   VARCHAR NOT NULL,        -- normalized metric name (queries.metric_key)
    value        DOUBLE NOT NULL,
    hardware     VARCHAR,
    origin       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS configuration (
    asset_id VARCHAR NOT NULL,
    key      VARCHAR NOT NULL,
    value    VARCHAR,
    hardware VARCHAR,
    origin   VARCHAR NOT NULL,
    source   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS label (
    asset_id VARCHAR NOT NULL,
    label    VARCHAR NOT NULL,
    origin   VARCHAR NOT NULL,
    source   VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS tbl (
    table_id    VARCHAR NOT NULL,         -- <asset_id>#<table name>
    asset_id    VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    path        VARCHAR,
    format      VARCHAR,
    n_rows      BIGINT,
    n_columns   INTEGER NOT NULL,
    description VARCHAR,
    origin      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS col (
    table_id       VARCHAR NOT NULL,
    asset_id       VARCHAR NOT NULL,
    ordinal        INTEGER NOT NULL,
    name           VARCHAR NOT NULL,
    type           VARCHAR,
    description    VARCHAR,
    distinct_count BIGINT,
    null_fraction  DOUBLE,
    samples        VARCHAR[],
    origin         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL
);

-- Hub-wide popularity tables, joined to assets by id (not assets themselves).
CREATE TABLE IF NOT EXISTS hub_stats (
    asset_id  VARCHAR NOT NULL,
    downloads BIGINT,
    likes     BIGINT,
    task      VARCHAR,
    domain    VARCHAR,
    author    VARCHAR,
    created   DATE,
    has_card  BOOLEAN,
    origin    VARCHAR NOT NULL,
    source    VARCHAR NOT NULL
);

-- Names under which a dataset is mentioned -> the dataset asset they resolve to.
CREATE TABLE IF NOT EXISTS dataset_alias (
    alias_key  VARCHAR NOT NULL,          -- normalized name (datasets.alias_key)
    dataset_id VARCHAR NOT NULL,
    alias      VARCHAR NOT NULL,          -- as written
    evidence   VARCHAR NOT NULL           -- id, name, title, alias, curated
);

-- What each file looked like when last read: unchanged files are not read again.
CREATE TABLE IF NOT EXISTS file_state (
    origin      VARCHAR PRIMARY KEY,
    reader      VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    size_bytes  BIGINT NOT NULL,
    n_records   INTEGER NOT NULL,
    n_rejected  INTEGER NOT NULL,
    read_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rejected (
    run_id  VARCHAR NOT NULL,
    source  VARCHAR NOT NULL,
    file    VARCHAR NOT NULL,
    line    INTEGER,
    reason  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_run (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    paths       VARCHAR[] NOT NULL,
    report      JSON
);

-- Hub popularity per asset (hub_stats summed up), stored on the asset row by every
-- ingest (catalog/ingest.py refresh_hub_totals): the search path reads asset_view on
-- every query and must neither regroup 10^5 hub rows nor join them each time.
ALTER TABLE asset ADD COLUMN IF NOT EXISTS hub_downloads BIGINT;
ALTER TABLE asset ADD COLUMN IF NOT EXISTS hub_likes BIGINT;
ALTER TABLE asset ADD COLUMN IF NOT EXISTS hub_task VARCHAR;
-- tasks and hub_task normalized ("Text Classification" -> text-classification), for filters
ALTER TABLE asset ADD COLUMN IF NOT EXISTS task_keys VARCHAR[];
-- languages as one key each (catalog/languages.py: "eng-Latn", "eng", "EN" -> "en")
ALTER TABLE asset ADD COLUMN IF NOT EXISTS language_keys VARCHAR[];
-- distinct other assets that evaluate on, train on, derive from or name this asset
-- (catalog/references.py): the popularity prior for assets without Hub downloads
ALTER TABLE asset ADD COLUMN IF NOT EXISTS referenced_by BIGINT;

-- every metric key an evaluation answers to (catalog/metrics.py: specific, broader, main_score),
-- and its value with bounded ratios on the fraction scale; set by every ingest
-- (catalog/evaluation_keys.py), metric_key too
ALTER TABLE evaluation ADD COLUMN IF NOT EXISTS metric_keys VARCHAR[];
ALTER TABLE evaluation ADD COLUMN IF NOT EXISTS value_norm DOUBLE;
-- '%' when the source wrote the value with a percent sign
ALTER TABLE evaluation ADD COLUMN IF NOT EXISTS unit VARCHAR;

-- data modalities (catalog/modality.py: text, vision, audio, multimodal, ...), for facets and filters
ALTER TABLE asset ADD COLUMN IF NOT EXISTS modality_keys VARCHAR[];
-- deployment formats (tflite, coral-edgetpu, openvino-ir, onnx, gguf...) and precisions (fp16, int8...)
-- (catalog/deployment.py)
ALTER TABLE asset ADD COLUMN IF NOT EXISTS format_keys VARCHAR[];
ALTER TABLE asset ADD COLUMN IF NOT EXISTS precision_keys VARCHAR[];

-- resolved datasets each asset was trained or evaluated on (catalog/evaluation_keys.py), for
-- the dataset facet; rebuilt by every ingest
CREATE TABLE IF NOT EXISTS dataset_use (
    asset_id   VARCHAR NOT NULL,
    dataset_id VARCHAR NOT NULL,
    evaluated  BOOLEAN NOT NULL,
    trained    BOOLEAN NOT NULL
);

-- up to three quality evaluations per asset shown beside a search hit (catalog/evaluation_keys.py)
CREATE TABLE IF NOT EXISTS asset_headline (
    asset_id     VARCHAR NOT NULL,
    rank         INTEGER NOT NULL,
    metric       VARCHAR NOT NULL,
    metric_key   VARCHAR,
    dataset_name VARCHAR,
    value        DOUBLE,
    value_norm   DOUBLE
);


-- license compliance across lineage (catalog/graph/compliance.py), rebuilt by every ingest:
-- clean / conflict / unknown, whether commercial use is safe across the lineage, and the findings
ALTER TABLE asset ADD COLUMN IF NOT EXISTS license_lineage VARCHAR;
ALTER TABLE asset ADD COLUMN IF NOT EXISTS commercial_lineage BOOLEAN;
ALTER TABLE asset ADD COLUMN IF NOT EXISTS license_ancestors INTEGER;  -- derivation ancestors checked
ALTER TABLE asset ADD COLUMN IF NOT EXISTS license_datasets INTEGER;   -- training datasets checked
CREATE TABLE IF NOT EXISTS license_finding (
    rule             VARCHAR NOT NULL,
    severity         VARCHAR NOT NULL,      -- conflict, unknown, notice
    asset_id         VARCHAR NOT NULL,
    asset_license    VARCHAR NOT NULL,
    ancestor_id      VARCHAR,               -- the ancestor or training dataset (NULL: the asset itself)
    ancestor_license VARCHAR,
    via              VARCHAR NOT NULL,      -- lineage, training data, own license
    path             VARCHAR NOT NULL,      -- relations from the asset to the ancestor
    message          VARCHAR NOT NULL
);

CREATE OR REPLACE VIEW asset_view AS
SELECT * REPLACE (
           coalesce(downloads, hub_downloads) AS downloads,
           coalesce(likes, hub_likes) AS likes)
FROM asset;
