"""The ``geoplan`` command line.

User errors (bad files, bad settings) print one line and exit with code 2; they never
show a traceback.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from layers.errors import GeoplanError, LayerValidationError, NoResult
from layers.writers import written_together
from geoplan.settings import MAX_SEED

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="geoplan — 无废城市 facility siting, vehicle routing and coverage maps.",
    pretty_exceptions_show_locals=False,
)
network_app = typer.Typer(no_args_is_help=True, help="Road network commands / 路网")
app.add_typer(network_app, name="network")

console = Console(stderr=True, soft_wrap=True)
# Piped output (files, CI logs) gets wide tables rather than names cut to fit 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)

ScenarioDir = Annotated[Path, typer.Argument(help="Scenario folder (holds scenario.toml).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]

#: The demo's routing solves stop after a fixed number of iterations, so the demo gives the
#: same routes on every machine (about 10–15 s each here); the time limit only guards a slow machine.
DEMO_ROUTING_ITERATIONS = 10_000
DEMO_ROUTING_LIMIT_S = 120.0
#: The demo prints its maps on A4 only (``geoplan publish`` adds A3): each paper costs seconds per sheet.
DEMO_PAPERS = ("A4",)
#: The demo's plan stops by this limit (a feasible plan meets every target; the gap is reported).
DEMO_PLAN_LIMIT_S = 30.0


def _bounded(name: str, unit: str, *, integer: bool = False, minimum: float | None = None,
             maximum: float | None = None, above: float | None = None):
    """A typer callback that checks an option's value against its bounds, naming the option."""
    from geoplan.settings import check_number

    def check(value):
        if value is None:
            return value
        try:
            return check_number(value, name, integer=integer, minimum=minimum, maximum=maximum, above=above, unit=unit)
        except GeoplanError as exc:
            _say_error(exc)
            raise typer.Exit(2) from None

    return check


#: Options every command checks the same way.
TIME_LIMIT = _bounded("--time-limit", "s", above=0.0)
ITERATIONS = _bounded("--iterations", "iterations", integer=True, minimum=1)
Seed = Annotated[int, typer.Option(help="Random seed (a whole number ≥ 0): the same seed gives the same result.",
                                   callback=_bounded("--seed", "", integer=True, minimum=0, maximum=MAX_SEED))]


def user_errors(fn):
    """Turn a GeoplanError into one line on stderr and exit code 2; a run without a usable
    result (:class:`NoResult`) prints its reason and exits with code 3."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except NoResult as exc:
            text = str(exc) if "nothing was written" in str(exc) else f"{exc}\n  (nothing was written)"
            console.print(f"[bold red]无可行结果 / no result:[/] {escape(text)}", highlight=False, soft_wrap=True)
            raise typer.Exit(3) from None
        except GeoplanError as exc:
            _say_error(exc)
            raise typer.Exit(2) from None

    return wrapper


def _say_error(exc: GeoplanError) -> None:
    # the message is plain text: its [section] names must not be read as markup
    console.print(f"[bold red]错误 / error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


def checked_scenario(scenario_dir: Path):
    """The scenario, checked as ``geoplan validate`` checks it, before a command runs on it.

    Every warning (an implausible value, a point served from a far road, an estimate) is
    printed, so nothing passes unsaid; an error stops the command with exit code 2.
    """
    from geoplan.checks import check_scenario
    from geoplan.scenario import load_scenario

    scenario = load_scenario(scenario_dir)
    check = check_scenario(scenario)
    for issue in check.warnings:
        console.print(f"[yellow]警告 / warning:[/] {escape(str(issue))}", highlight=False, soft_wrap=True)
    if check.errors:
        raise LayerValidationError(check.errors)
    return scenario


def _progress(quiet: bool):
    from contextlib import nullcontext

    return nullcontext() if quiet else console.status("working…")


@app.command()
@user_errors
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the demo scenario into.")] = Path(
        "geoplan-demo"
    ),
    seed: Annotated[int, typer.Option(help="Random seed of the demo county.",
                                      callback=_bounded("--seed", "", integer=True, minimum=0, maximum=MAX_SEED))] = 202611,
    tiles: Annotated[str, typer.Option(help="Base map: osm, amap, tianditu or none.")] = "osm",
    quiet: Quiet = False,
) -> None:
    """Write the embedded demo county as a scenario folder and run the whole chain on it."""
    from geoplan.demo.scenario_folder import write_demo_scenario
    from geoplan.publish import PUBLISH_FORMATS, publish, publish_themes, sheet_jobs, sheet_printer, write_layers_map
    from geoplan.scenario import load_scenario
    from geoplan.routing import demo_routing
    from geoplan.planning import alternatives
    from geoplan.planning.run import run_plan

    def step(text: str) -> None:
        if not quiet:
            console.print(f"[green]•[/] {escape(text)}")

    write_demo_scenario(out_dir, seed=seed)
    step(f"scenario written: {out_dir}/scenario.toml, {out_dir}/layers.gpkg")
    scenario = load_scenario(out_dir)
    net = scenario.road_network
    info = net.info()
    step(f"road network: {info['nodes']} nodes, {info['edges']} edges, {info['total_km']:.0f} km")
    path = write_layers_map(scenario, tiles=tiles)
    step(f"map: {path}")
    planned = run_plan(scenario, time_limit_s=DEMO_PLAN_LIMIT_S, seed=scenario.seed, tiles=tiles,
                       command="geoplan demo")
    alternatives.adopt(scenario, planned.name)
    met = planned.indicators.groupby("key")["status"].apply(lambda s: bool((s != "未达标").all())).sum()
    step(f"plan {planned.name!r} adopted: {len(planned.plan.new_sites)} new sites, "
         f"{planned.plan.total_cost_yuan / 1e4:,.0f} 万元, {met} of {planned.indicators['key'].nunique()} targets met "
         f"by their year ({planned.plan.result.status.value}, gap {planned.plan.result.gap:.2%})")
    # the theme maps and their print sheets need no routes: they are drawn while the routes are
    # planned (the sheets in worker processes, on the core the routing leaves free)
    themes = []

    def draw_themes() -> None:
        themes.append(publish_themes(scenario, tiles))
        for job in sheet_jobs(scenario, themes[0], routes=False):
            printer.submit(job)

    with sheet_printer(scenario, PUBLISH_FORMATS, DEMO_PAPERS) as printer:
        outcomes = demo_routing(scenario, time_limit_s=DEMO_ROUTING_LIMIT_S,
                                iteration_limit=DEMO_ROUTING_ITERATIONS, meanwhile=draw_themes)
        for outcome in outcomes:
            t = outcome.result
            step(f"routes {outcome.workflow}: {len(outcome.routes)} routes, {t.distance_km:,.0f} km, "
                 f"{t.co2_kg:,.0f} kg CO₂, {len(t.unserved)} unserved ({t.engine})")
        written = publish(scenario, tiles=tiles, themes=themes[0], formats=PUBLISH_FORMATS, papers=DEMO_PAPERS,
                          printer=printer)
    step(f"report: {scenario.output_dir / 'summary.html'}, print maps in {scenario.output_dir / 'print'}, "
         f"workbook and Word chapter ({len(written)} files)")
    if not quiet:
        _print_layer_counts(scenario)
        _print_indicators(scenario)


@app.command()
@user_errors
def init(
    scenario_dir: Annotated[Path, typer.Argument(help="New scenario folder to write (must not exist, or be empty).")],
    roads: Annotated[Path, typer.Option(help="Road source: OSM extract (.osm, .osm.pbf) or a roads layer file.")],
    boundary: Annotated[Path | None, typer.Option(help="Districts (街道/镇) polygons: GeoJSON, Shapefile, GeoPackage.")] = None,
    layer: Annotated[list[str] | None, typer.Option(
        help="KIND=FILE, repeatable: e.g. residential_communities=小区名录.xlsx (Excel, CSV, Shapefile, GeoJSON, GeoPackage).")] = None,
    crs: Annotated[list[str] | None, typer.Option(
        help="KIND=CRS, repeatable: the coordinates of a layer — GCJ-02 (AMap), BD-09 (Baidu), EPSG:4490 …")] = None,
    sheet: Annotated[list[str] | None, typer.Option(help="KIND=SHEET, repeatable: the Excel sheet of a layer.")] = None,
    name: Annotated[str | None, typer.Option(help="Scenario name (default: the folder's).")] = None,
    quiet: Quiet = False,
) -> None:
    """Write a scenario folder around your own files: layers copied into data/, columns recognised, standards and
    targets with their sources, and an import report (rows read, fields mapped, coordinates converted, values
    estimated, rows refused)."""
    from geoplan.new_scenario import init_scenario, parse_layer_options

    with _progress(quiet):
        result = init_scenario(scenario_dir, roads, boundary=boundary,
                               layer_files=parse_layer_options(layer or [], "--layer"),
                               crs=parse_layer_options(crs or [], "--crs"),
                               sheets=parse_layer_options(sheet or [], "--sheet"), name=name)
    if not quiet:
        out.print(result.report_text(), highlight=False, markup=False)
    out.print(f"{scenario_dir / 'scenario.toml'}", highlight=False, markup=False)


@app.command()
@user_errors
def validate(scenario_dir: ScenarioDir, quiet: Quiet = False) -> None:
    """Check every layer and how far each point lies from the road network."""
    from geoplan.checks import check_scenario
    from geoplan.scenario import load_scenario

    scenario = load_scenario(scenario_dir)
    with _progress(quiet):
        check = check_scenario(scenario)
    table = Table(title="图层 / layers")
    table.add_column("layer")
    table.add_column("rows", justify="right")
    for name, rows in check.layer_rows.items():
        table.add_row(name, str(rows))
    if not quiet:
        out.print(table)
    for issue in check.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        out.print(f"[{colour}]{issue.severity}[/]: {escape(str(issue))}", highlight=False, soft_wrap=True)
    summary = f"{len(check.errors)} errors, {len(check.warnings)} warnings"
    if check.errors:
        console.print(f"[bold red]错误 / error:[/] {summary} — fix the rows named above", highlight=False)
        raise typer.Exit(2)
    out.print(f"[green]通过 / ok:[/] {summary}")


Tiles = Annotated[str, typer.Option(help="Base map: osm, amap (GCJ-02), tianditu (needs GEOPLAN_TIANDITU_KEY) or none.")]


@app.command("map")
@user_errors
def map_command(scenario_dir: ScenarioDir, tiles: Tiles = "osm", quiet: Quiet = False) -> None:
    """Write one self-contained HTML map per theme (household waste, recycling, film, muck, routes)."""
    from geoplan.publish import publish, write_layers_map

    scenario = checked_scenario(scenario_dir)
    with _progress(quiet), written_together(scenario.output_dir):
        paths = [write_layers_map(scenario, tiles=tiles), *publish(scenario, tiles=tiles, with_report=False)]
    for path in paths:
        out.print(str(path), highlight=False, markup=False)


@app.command()
@user_errors
def report(scenario_dir: ScenarioDir, tiles: Tiles = "osm", quiet: Quiet = False) -> None:
    """Indicators against the plan's targets (CSV, JSON), the theme maps and the HTML summary page."""
    from geoplan.publish import publish, write_layers_map

    scenario = checked_scenario(scenario_dir)
    with _progress(quiet), written_together(scenario.output_dir):
        paths = [write_layers_map(scenario, tiles=tiles), *publish(scenario, tiles=tiles)]
    for path in paths:
        out.print(str(path), highlight=False, markup=False)
    if not quiet:
        _print_indicators(scenario)


@app.command("publish")
@user_errors
def publish_command(
    scenario_dir: ScenarioDir,
    format: Annotated[str | None, typer.Option("--format", help="Comma-separated: html (maps, summary, CSV/JSON), pdf "
                                                                  "and png (print maps), xlsx (workbook), docx (Word "
                                                                  "chapter). Default: all of them.")] = None,
    paper: Annotated[str, typer.Option(help="Print map papers, comma-separated: A4, A3 (landscape).")] = "A4,A3",
    basemap: Annotated[Path | None, typer.Option(
        help="A basemap under the print maps: a PNG, JPEG or TIFF in the scenario's coordinate system with its "
             "world file (.pgw, .jgw, .tfw) or GeoTIFF tags. Default: none.")] = None,
    tiles: Tiles = "osm",
    quiet: Quiet = False,
) -> None:
    """Publish the plan for the plan document: HTML maps and summary, print maps (PDF, 300 dpi PNG; A4/A3),
    the Excel workbook and the Word chapter 设施布局与收运体系规划."""
    from geoplan.print_maps import PAPERS
    from geoplan.publish import PUBLISH_FORMATS, parse_choices, publish, write_layers_map

    formats = PUBLISH_FORMATS if format is None else parse_choices(format, PUBLISH_FORMATS, "--format")
    papers = parse_choices(paper, PAPERS, "--paper")
    scenario = checked_scenario(scenario_dir)
    with _progress(quiet), written_together(scenario.output_dir):
        paths = [write_layers_map(scenario, tiles=tiles)] if "html" in formats else []
        paths += publish(scenario, tiles=tiles, formats=formats, papers=papers, basemap=basemap)
    for path in paths:
        out.print(str(path), highlight=False, markup=False)


@app.command()
@user_errors
def site(
    scenario_dir: ScenarioDir,
    kind: Annotated[str, typer.Option(help="Facility kind to site, e.g. transfer_stations, film_recycling_stations, "
                                           "muck_disposal_sites, dropoff_points, collection_hubs, recycling.")],
    model: Annotated[str, typer.Option(help="lscp, mclp, p-median, p-center or cflp.")],
    p: Annotated[int | None, typer.Option("--p", help="Number of new sites (mclp, p-median, p-center).",
                                          callback=_bounded("--p", "new sites", integer=True, minimum=1))] = None,
    radius_m: Annotated[float | None, typer.Option(help="Service standard in metres of road distance.",
                                                   callback=_bounded("--radius-m", "m", above=0.0))] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit, s (default: scenario).",
                                                     callback=TIME_LIMIT)] = None,
    seed: Seed = 0,
    collection_mode: Annotated[str, typer.Option(help="Transfer stations: small_vehicle or manual.")] = "small_vehicle",
    quiet: Quiet = False,
) -> None:
    """Site new facilities on the road network; writes output/sites_<kind>.gpkg/.json and the plan."""
    from geoplan.siting import run_siting

    scenario = checked_scenario(scenario_dir)
    with _progress(quiet), written_together(scenario.output_dir):
        outcome = run_siting(scenario, kind, model, p=p, radius_m=radius_m, time_limit_s=time_limit, seed=seed,
                             collection_mode=collection_mode)
    out.print(outcome.summary(), highlight=False, markup=False)


PLAN_HELP = """Plan to the targets, and manage plan alternatives / 规划方案.

\b
geoplan plan DIR [--name N] [--adopt]   the least-cost sites, year by year, that meet every target
geoplan plan list DIR                   the alternatives, their cost and targets met
geoplan plan compare DIR A B            two alternatives side by side
geoplan plan adopt DIR NAME             make NAME the plan (output/planned_sites.gpkg)

Every run writes a new alternative output/plans/<name>/ and never replaces the plan; exit
code 3 when no plan meets the targets (the reason is printed, nothing is written).
"""


@app.command(help=PLAN_HELP)
@user_errors
def plan(
    words: Annotated[list[str], typer.Argument(help="DIR, or list DIR, compare DIR A B, adopt DIR NAME.")],
    name: Annotated[str | None, typer.Option(help="Name of the new alternative (default plan, plan-2 …).")] = None,
    adopt: Annotated[bool, typer.Option("--adopt", help="Adopt the new alternative as the plan.")] = False,
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit, s (default: scenario).",
                                                     callback=TIME_LIMIT)] = None,
    seed: Seed = 0,
    tiles: Tiles = "osm",
    quiet: Quiet = False,
) -> None:
    from geoplan.planning import alternatives

    verbs = {"list": 1, "compare": 3, "adopt": 2}
    verb = words[0] if words and words[0] in verbs else None
    args = words[1:] if verb else words
    need = verbs.get(verb, 1)
    if len(args) != need:
        raise GeoplanError(f"geoplan plan{' ' + verb if verb else ''}: expected {need} argument(s) "
                           f"({'DIR' if need == 1 else 'DIR A B' if need == 3 else 'DIR NAME'}), got {len(args)} — "
                           "see geoplan plan --help")
    scenario = checked_scenario(Path(args[0]))
    if verb == "list":
        table = alternatives.list_alternatives(scenario)
        out.print(table.to_string(index=False) if len(table) else "没有方案 no plan alternatives yet — run geoplan plan",
                  highlight=False, markup=False)
        return
    if verb == "compare":
        for title, frame in alternatives.compare(scenario, args[1], args[2]).items():
            out.print(f"\n{title}\n{frame.to_string(index=False) if len(frame) else '(none)'}", highlight=False,
                      markup=False)
        return
    if verb == "adopt":
        with written_together(scenario.output_dir):
            path = alternatives.adopt(scenario, args[1])
        out.print(f"采用方案 adopted {args[1]!r}: {path}", highlight=False, markup=False)
        return
    from geoplan.planning.run import run_plan

    with written_together(scenario.output_dir):
        with _progress(quiet):
            outcome = run_plan(scenario, name=name, time_limit_s=time_limit, seed=seed, tiles=tiles,
                               command="geoplan plan " + " ".join(words) + (f" --name {name}" if name else ""))
        if adopt:
            alternatives.adopt(scenario, outcome.name)
    out.print(outcome.summary(), highlight=False, markup=False)
    if adopt:
        out.print(f"采用方案 adopted {outcome.name!r}", highlight=False, markup=False)


@app.command()
@user_errors
def candidates(
    scenario_dir: ScenarioDir,
    kind: Annotated[str, typer.Option(help="Facility kind, e.g. transfer_stations, film_recycling_stations.")],
    spacing_m: Annotated[float | None, typer.Option(
        help="Least distance between candidate sites, m (default 500, or half the kind's service radius if shorter).",
        callback=_bounded("--spacing-m", "m", above=0.0))] = None,
    replace: Annotated[bool, typer.Option(help="Generate again a kind candidates.gpkg already holds.")] = False,
    quiet: Quiet = False,
) -> None:
    """Generate candidate sites on the road network (inside the districts, outside restricted zones and water,
    at a spacing) into candidates.gpkg, with the kind's default cost and land need, for you to edit."""
    from geoplan.siting.candidates import assumptions, generate_candidates, write_candidates

    scenario = checked_scenario(scenario_dir)
    with _progress(quiet), written_together():
        sites = generate_candidates(scenario, kind, spacing_m)
        path = write_candidates(scenario, sites, replace=replace)
    out.print(f"{len(sites)} 个备选站址 candidate sites of {kind} → {path}",
              highlight=False, markup=False)
    for line in assumptions(scenario, kind):
        out.print(f"  假定 assumed: {line}", highlight=False, markup=False)


@app.command()
@user_errors
def route(
    scenario_dir: ScenarioDir,
    workflow: Annotated[str, typer.Option(help="collection, film or muck.")],
    engine: Annotated[str, typer.Option(help="auto, pyvrp or ortools.")] = "auto",
    time_limit: Annotated[float | None, typer.Option(help="Safety-net time limit, s (default: scenario "
                                                          "[routing] time_limit_s).", callback=TIME_LIMIT)] = None,
    iterations: Annotated[int | None, typer.Option(help="Stop the search after this many iterations, so a rerun "
                                                        "gives the same routes (default: scenario [routing] "
                                                        "iterations, 10000).", callback=ITERATIONS)] = None,
    stations: Annotated[str | None, typer.Option(
        help="Unload at the existing sites or the plan's (existing|plan; default: plan when it adds one): "
             "transfer stations and plants, film stations, or muck disposal sites and yards.")] = None,
    seed: Seed = 0,
    tiles: Tiles = "osm",
    quiet: Quiet = False,
) -> None:
    """Vehicle routes on the road network; writes output/routes_<workflow>.gpkg/.csv/.json and its map.

    The search stops after a fixed number of iterations, so the same scenario and seed give
    the same routes; the summary says so when the time limit stopped it first.
    """
    from geoplan.publish import write_routes_map
    from geoplan.routing import run_routing

    scenario = checked_scenario(scenario_dir)
    limit = iterations if iterations is not None else scenario.routing.iterations
    with _progress(quiet), written_together(scenario.output_dir):
        outcome = run_routing(scenario, workflow, engine=engine, time_limit_s=time_limit, seed=seed,
                              iteration_limit=limit, stations=stations)
        map_path = write_routes_map(scenario, workflow, tiles)
    out.print(outcome.summary(), highlight=False, markup=False)
    for path in [*outcome.files.values(), map_path]:
        out.print(str(path), highlight=False, markup=False)


@app.command("app")
@user_errors
def app_command(
    scenario_dir: Annotated[Path | None, typer.Argument(help="Scenario folder; default the demo county.")] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps the app on this computer. "
                                           "Another address lets anyone who reaches it use the app — no login.")]
    = "127.0.0.1",
    max_sessions: Annotated[int, typer.Option(help="Browser tabs served at once (each holds its own session).",
                                              callback=_bounded("--max-sessions", "tabs", integer=True, minimum=1, maximum=256))] = 8,
) -> None:
    """Interactive siting in the browser: click to place stations, see coverage change, run the siting models.

    Without SCENARIO_DIR it opens ./geoplan-demo if that holds a scenario, else a demo county
    written to a temporary folder that is removed when the app stops.
    """
    from contextlib import nullcontext

    from geoplan.app.launch import demo_scenario, exposure_note, serve

    if scenario_dir is not None:
        checked_scenario(scenario_dir)  # a broken scenario is one line here, not a traceback in the browser
    with nullcontext(scenario_dir) if scenario_dir is not None else demo_scenario() as folder:
        note = "" if scenario_dir is not None else "  (示范县 demo county)"
        console.print(f"[green]•[/] 交互选址 siting app for {escape(str(folder.resolve()))}{note} at http://{host}:{port}"
                      "  (Ctrl+C to stop)")
        warning = exposure_note(host, port, folder.resolve())
        if warning:
            console.print(f"[yellow]{escape(warning)}[/]")
        code = serve(folder, host=host, port=port, max_sessions=max_sessions)
    raise typer.Exit(code)


@network_app.command("info")
@user_errors
def network_info(scenario_dir: ScenarioDir, quiet: Quiet = False) -> None:
    """Nodes, edges, components, per-profile reach and snap statistics per layer."""
    from geoplan.checks import check_scenario
    from geoplan.scenario import load_scenario

    scenario = load_scenario(scenario_dir)
    with _progress(quiet):
        net = scenario.road_network
        check = check_scenario(scenario)
    info = net.info()
    t = Table(title="路网 / road network")
    t.add_column("item")
    t.add_column("value", justify="right")
    for key, value in info.items():
        if isinstance(value, dict):
            for k, v in value.items():
                t.add_row(f"{key}.{k}", _fmt(v))
        else:
            t.add_row(key, _fmt(value))
    out.print(t)
    s = Table(title=f"吸附距离 / snap distances to the roads each vehicle may use (limit "
                    f"{scenario.network_settings.max_snap_m:g} m)")
    for col in ("layer · vehicle", "points", "median m", "p95 m", "max m", "over limit", "unreachable"):
        s.add_column(col, justify="right" if col != "layer · vehicle" else "left")
    for name, st in check.snap_stats.items():
        s.add_row(name, f"{st['points']:.0f}", f"{st['median_m']:.0f}", f"{st['p95_m']:.0f}", f"{st['max_m']:.0f}",
                  f"{st['over_limit']:.0f}", f"{st['unreachable']:.0f}")
    out.print(s)
    for issue in check.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        out.print(f"[{colour}]{issue.severity}[/]: {escape(str(issue))}", highlight=False, soft_wrap=True)


def _fmt(v) -> str:
    return f"{v:,.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def _print_layer_counts(scenario) -> None:
    t = Table(title=f"{scenario.name}")
    t.add_column("layer")
    t.add_column("rows", justify="right")
    for name, gdf in scenario.layers.items():
        t.add_row(name, str(len(gdf)))
    out.print(t)


def _print_indicators(scenario) -> None:
    from geoplan.outputs import read_output_json

    doc = read_output_json(scenario.output_dir / "indicators.json", "geoplan report DIR")
    t = Table(title="规划指标 / plan indicators")
    for col in ("indicator", "target", "existing", "plan", ""):
        t.add_column(col, justify="left" if col == "indicator" else "right")
    for row in doc["indicators"]:
        ok = row["status_plan"] == "达标"
        t.add_row(row["label"], f"{row['target']:.0%}", f"{row['actual_existing']:.1%}", f"{row['actual_plan']:.1%}",
                  f"[{'green' if ok else 'red'}]{row['status_plan']}[/]")
    out.print(t)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
