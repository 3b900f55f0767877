import ArgumentParser
import NewIPEmulator
import NewIPFiles
import NewIPRuntime
import NewIPTopology

struct RouteFlapsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route-flaps",
        abstract: "Count a dynamic route's flaps under load, with and without damping.",
        discussion: """
        Runs a `routing: dynamic` topology once per damping variant (undamped; the 1 s hysteresis alone; \
        RFC 9616's smoothing and bounded step alone; both, the default; both with a 10 s route hold) and seed, and counts ROUTER's \
        next-hop changes of its route to the first flow's destination from that flow's start to the end \
        of the run, as flaps per minute. Writes JSON (every run, and per variant the mean, least and most \
        over the seeds) to --json and, with --svg, the route's delay over time in the first seed's undamped \
        and default runs. Examples/route-flaps.yaml is the classic experiment: two parallel paths and a \
        load one of them cannot carry.
        """)

    @Argument(help: "Topology file (YAML) with `routing: dynamic`.")
    var file: String

    @Option(help: "The router whose route is watched.")
    var router: String

    @Option(help: ArgumentHelp("Seeds to run, from A to B.", valueName: "A..B"))
    var seeds = "1..3"

    @Option(help: "Write the results as JSON to this file.")
    var json: String

    @Option(help: "Write the chart to this SVG file.")
    var svg: String?

    @Option(help: ArgumentHelp("The chart's time span, from the first flow's start (default: 5s).", valueName: "duration"))
    var span = "5s"

    @Flag(help: "Replace output files nip did not write.")
    var force = false

    func run() throws {
        let topology: Topology
        do { topology = try TopologyParser.load(path: file) } catch { throw ToolError("\(error)") }
        let study: RouteFlapStudy
        do { study = try RouteFlapStudy(topology: topology, router: router) } catch { throw ToolError("\(file): \(error)") }
        let seeds = try EmulateCommand.seedRange(self.seeds)
        let span: Int64
        do { span = try Units.duration(self.span) } catch { throw ToolError("--span: \(error)") }
        var runs: [RouteFlapStudy.Run] = []
        for variant in RouteFlapStudy.variants {
            for seed in seeds { runs.append(try study.run(variant, seed: seed)) }
        }
        for variant in RouteFlapStudy.variants {
            let rates = runs.filter { $0.variant == variant.name }.map(\.flapsPerMinute)
            print("\(variant.name): \(rates.map { String(Int($0.rounded())) }.joined(separator: ", ")) flaps/min")
        }
        try OutputFile.write(Array((study.json(runs).indentedText + "\n").utf8), to: json, option: "--json", force: force)
        if let svg {
            // Undamped and the default: a route hold's long climbs would flatten both on one axis.
            let plotted = [0, 3].map { RouteFlapStudy.variants[$0].name }
            let first = runs.filter { $0.seed == seeds.lowerBound && plotted.contains($0.variant) }
            let start = study.window.lowerBound
            try OutputFile.write(Array(study.svg(first, span: start..<min(start + span, study.window.upperBound)).utf8),
                                 to: svg, option: "--svg", force: force)
        }
    }
}
