import ArgumentParser
import Foundation
import NewIPAnalysis
import NewIPDataPlane
import NewIPEmulator
import NewIPFiles
import NewIPJSON
import NewIPRuntime
import NewIPTopology

struct EmulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Run a topology file in virtual time and write its measurements.",
        discussion: """
        Writes results.json, flows.csv, links.csv, nodes.csv and a latency CDF per flow (cdf-FLOW.svg; --flow-plots picks fewer) to \
        --out, replacing the folder whole if nip wrote it (a `.nip-output` file inside lists what it wrote); \
        a folder holding anything else is replaced only with --force, and never the folder you are in, \
        one above it, or one holding the topology file. The same file and seed give byte-identical files, \
        whatever --threads: a single run splits its nodes into --threads partitions run side by side \
        (one partition with domains, routing: dynamic or neighbours, whose drivers share state across nodes). \
        With --seeds A..B the topology runs once per seed (its own seed replaced), each run's files \
        going to seed-N/ inside --out, with summary.json, summary.csv and two charts (summary-*.svg) beside them: per flow and metric \
        the mean over the seeds, the sample standard deviation and a 95 % confidence interval of the mean; \
        the seeds run side by side on --threads threads (each seed one partition) and give the same files whatever their number. \
        See docs/topology.md for the file format.
        """)

    @Argument(help: "Topology file (YAML).")
    var file: String

    @Option(help: "Seed for every random choice (overrides the file's seed).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Run once per seed from A to B (at most \(Self.maxSeeds) seeds) and summarise over them.",
                               valueName: "A..B"))
    var seeds: String?

    @Option(help: ArgumentHelp("Threads (default: every core): a single run splits its nodes into that many partitions run side "
                               + "by side; with --seeds, that many seeds run at once. The files written are the same whatever "
                               + "the number.", valueName: "N"))
    var threads: Int?

    @Option(help: "Output folder (default: results/<topology name>).")
    var out: String?

    @Flag(help: "Record every egress queue's depth (packets and bytes) at each change, as queue-depth.csv.")
    var queueDepth = false

    @Option(help: ArgumentHelp("Which flows get a latency CDF plot (cdf-FLOW.svg): all, none, or the first N in file order. "
                               + "flows.csv and results.json list every flow whatever it is.", valueName: "all|none|N"))
    var flowPlots = "all"

    @Flag(help: "No progress bar or summary table.")
    var quiet = false

    @Option(help: ArgumentHelp("Write the setup and run times, peak resident memory and the bytes per node, route, flow and "
                               + "queued packet (computed from the data structures) to this JSON file.", valueName: "file"))
    var stats: String?

    @Flag(help: "Replace an output folder holding files nip did not write, and run beyond the size limits.")
    var force = false

    func run() throws {
        let parseStarted = DispatchTime.now().uptimeNanoseconds
        guard let plots = FlowPlots(flowPlots) else {
            throw ToolError("--flow-plots \(flowPlots): give all, none or a number of flows, such as 100")
        }
        // The file's size lays out the bar before anything is read (unknown: no share for reading).
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int ?? 0
        let setup = SetupProgress(ProgressBar(enabled: !quiet), fileBytes: fileBytes)
        // Cleared before anything else is printed: an error, the sweep's bar, the summary.
        defer { setup.finish() }
        // Checked once, here: `Emulation(checked:)` does not check again.
        var checked: CheckedTopology
        do {
            checked = try TopologyParser.loadChecked(path: file, step: setup.begin)
        } catch {
            throw ToolError("\(error)")
        }
        let sweep = try seeds.map(Self.seedRange)
        if let threads, threads < 1 { throw ToolError("--threads \(threads): give at least 1 (the default is every core)") }
        if sweep != nil, seed != nil {
            throw ToolError("--seed and --seeds cannot be used together: --seed runs one seed, --seeds A..B runs each from A to B")
        }
        if let seed { checked.seed = seed }
        let topology = checked.topology
        let folder = out ?? "results/\(topology.name)"
        let option = out == nil ? nil : "--out"
        // Refused before the run, not after it.
        try OutputDirectory.check(folder, option: option, force: force, inputs: [file])
        if let stats { try OutputFile.check(stats, option: "--stats", force: force, generatedHeader: RunStatistics.header) }
        // Routing tables are built first; check they fit before building them.
        if !force, let excess = WorkEstimate(routing: topology).excess {
            throw ToolError("\(file): its routing tables would take \(excess); use `routing: shortest-delay-hosts`, "
                            + "a smaller topology, or pass --force")
        }
        if let sweep {
            setup.finish()
            return try runSweep(checked, seeds: sweep, folder: folder, option: option, plots: plots)
        }
        let setupStarted = DispatchTime.now().uptimeNanoseconds
        var emulation: Emulation
        setup.beginRouting(topology)
        do {
            emulation = try Emulation(checked: checked, threads: threads ?? ParallelMap.cores, routingProgress: setup.routing)
        } catch {
            throw ToolError("\(error)")
        }
        emulation.recordsQueueDepth = queueDepth
        setup.beginTracing()
        let undeliverable = emulation.undeliverableFlows(threads: threads ?? ParallelMap.cores)
        setup.finish()
        for flow in undeliverable {
            FileHandle.standardError.write(Data("warning: \(file): \(flow)\n".utf8))
        }
        if !force, let excess = emulation.workEstimate(streamingCaptures: true).excess {
            throw ToolError("\(file): the run would take \(excess); shorten `duration`, lower the flows' rates, "
                            + "capture less, or pass --force")
        }
        // Results are written into a hidden folder beside --out (captures as they grow), which
        // replaces --out only once complete; an error or Ctrl-C removes it.
        let staging = try OutputDirectory.begin(folder, writer: "nip emulate", option: option, force: force, inputs: [file])
        let interrupt = InterruptCleanup { staging.discard() }
        let progress = ProgressBar(enabled: !quiet)
        let started = DispatchTime.now().uptimeNanoseconds
        let results: EmulationResults
        do {
            results = try emulation.run(threads: threads ?? ParallelMap.cores, progress: progress.update,
                                        streamingCapturesTo: staging.path)
            progress.finish()
            try results.finish(staging, flowPlots: plots)
        } catch {
            staging.discard()
            throw error
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        interrupt.cancel()
        if let stats {
            let seconds = { (from: UInt64, to: UInt64) in Double(to - from) / 1e9 }
            let report = RunStatistics(parse: seconds(parseStarted, setupStarted), setup: seconds(setupStarted, started), run: wall,
                                       events: results.events, memory: emulation.memoryUse(results), results: results)
            try OutputFile.write(Array(report.json.indentedText.utf8), to: stats, option: "--stats", force: force,
                                 generatedHeader: RunStatistics.header)
        }
        if !quiet {
            print(EmulationSummary(results).text)
            print(String(format: "%@ · seed %llu · %.3f s virtual in %.2f s wall · %d events (%.2f M events/s) · results in %@",
                         results.name, results.seed, Double(results.duration) / 1e9, wall, results.events,
                         Double(results.events) / max(wall, 1e-9) / 1e6, folder))
        }
    }
}

extension EmulateCommand {
    static let maxSeeds: UInt64 = 1_000

    /// `A..B` with whole numbers A ≤ B and at most `maxSeeds` seeds.
    static func seedRange(_ text: String) throws -> ClosedRange<UInt64> {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]) else {
            throw ToolError("--seeds \(text): expected A..B with whole numbers A ≤ B, such as 1..20")
        }
        guard low <= high else { throw ToolError("--seeds \(text): the first seed is above the last; write A..B with A ≤ B") }
        guard high - low < maxSeeds else {
            throw ToolError("--seeds \(text): that is more than \(maxSeeds) seeds, the most one sweep runs; split it into smaller ranges")
        }
        return low...high
    }

    /// Runs `topology` once per seed into `folder`/seed-N/ and writes summary.json and
    /// summary.csv beside them, all staged and replaced as one folder.
    func runSweep(_ topology: CheckedTopology, seeds: ClosedRange<UInt64>, folder: String, option: String?, plots: FlowPlots) throws {
        // Built one at a time (a thousand at once could take much memory); the first is
        // checked before anything is written, and the seed changes neither errors nor size.
        @Sendable func emulation(_ seed: UInt64) throws -> Emulation {
            var seeded = topology
            seeded.seed = seed
            // The threads run seeds side by side: each seed routes on one.
            do { return try Emulation(checked: seeded, threads: 1) } catch { throw ToolError("\(error)") }
        }
        var first: Emulation? = try emulation(seeds.lowerBound)
        for flow in first!.undeliverableFlows(threads: threads ?? ParallelMap.cores) {
            FileHandle.standardError.write(Data("warning: \(file): \(flow)\n".utf8))
        }
        if !force, let excess = first!.workEstimate(streamingCaptures: true).excess {
            throw ToolError("\(file): each run would take \(excess); shorten `duration`, lower the flows' rates, "
                            + "capture less, or pass --force")
        }
        let staging = try OutputDirectory.begin(folder, writer: "nip emulate", option: option, force: force, inputs: [file])
        let interrupt = InterruptCleanup { staging.discard() }
        let progress = SweepProgress(ProgressBar(enabled: !quiet), runs: seeds.count)
        let started = DispatchTime.now().uptimeNanoseconds
        let prepared = Handoff(first!)
        first = nil
        let (stagingPath, seedList) = (staging.path, Array(seeds))
        do {
            // Seeds run side by side, each into its own folder; the summary reads them in seed order.
            let finished = try ParallelMap.jobs(seedList.count, threads: threads ?? ParallelMap.cores) { index in
                let seed = seedList[index]
                let emulation = try (index == 0 ? prepared.take() : nil) ?? emulation(seed)
                let name = "seed-\(seed)"
                let path = stagingPath + "/" + name
                do {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                } catch {
                    throw ToolError("\(folder): cannot create \(name) (\(error.localizedDescription))")
                }
                let results = try emulation.run(progress: { progress.update(run: index, fraction: $0) }, streamingCapturesTo: path)
                try Self.write(results.files(flowPlots: plots), into: path, folder: folder, name: name)
                return (run: SeedSweep.Run(results), events: results.events)
            }
            let runs = finished.map(\.run)
            let events = finished.reduce(0) { $0 + $1.events }
            progress.finish()
            let summary = SeedSweep(name: topology.topology.name, runs: runs)
            try staging.finish([("summary.json", Array(summary.json.indentedText.utf8)), ("summary.csv", Array(summary.csv.utf8))]
                + summary.plots.map { ($0.name, Array($0.svg.utf8)) })
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            interrupt.cancel()
            if !quiet {
                print("over seeds \(seeds.lowerBound)..\(seeds.upperBound) (shares of sent packets; latency percentiles of delivered "
                      + "ones; mean, sample sd and 95 % confidence interval of the mean, Student's t)")
                print(formatTable(header: ["flow", "metric", "n", "mean", "sd", "95 % CI"], rows: summary.tableRows))
                print(String(format: "%@ · %d seeds · %.2f s wall · %d events · results in %@", topology.topology.name, runs.count, wall,
                             events, folder))
            }
        } catch {
            staging.discard()
            throw error
        }
    }

    /// Writes one seed's files and its own `.nip-output` marker into `path`.
    static func write(_ files: [(name: String, contents: [UInt8])], into path: String, folder: String, name: String) throws {
        let streamed = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let names = (files.map(\.name) + streamed).sorted()
        let marker = (["nip emulate"] + names).joined(separator: "\n") + "\n"
        for file in files + [(OutputDirectory.markerName, Array(marker.utf8))] {
            guard FileManager.default.createFile(atPath: path + "/" + file.name, contents: Data(file.contents)) else {
                throw ToolError("\(folder): cannot write \(name)/\(file.name)")
            }
        }
    }
}

/// Progress on standard error once a run has taken a second: a bar redrawn in place on a
/// terminal, otherwise (a log, CI) a line every few seconds.
final class ProgressBar {
    private let enabled: Bool
    /// What is progressing, before the bar (empty: the run); off a terminal, a new one is
    /// logged at the next update.
    var label: String {
        didSet { if label != oldValue { lastLine = 0 } }
    }
    private let terminal = isatty(STDERR_FILENO) == 1
    private let started = DispatchTime.now().uptimeNanoseconds
    private var shown = false
    private var lastLine: UInt64 = 0
    static let lineInterval: UInt64 = 2_000_000_000

    init(enabled: Bool, label: String = "") {
        self.enabled = enabled
        self.label = label
    }

    func update(_ fraction: Double) {
        let label = self.label.isEmpty ? "" : self.label + " "
        let now = DispatchTime.now().uptimeNanoseconds
        guard enabled, now - started > 1_000_000_000 else { return }
        guard terminal else {
            guard now - lastLine >= Self.lineInterval else { return }
            lastLine = now
            FileHandle.standardError.write(Data(String(format: "progress: %@%d %% after %.0f s\n", label, Int(fraction * 100),
                                                       Double(now - started) / 1e9).utf8))
            return
        }
        shown = true
        let width = 40
        let filled = Int((fraction * Double(width)).rounded(.down)).clamped(to: 0...width)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(label)\(bar) \(Int(fraction * 100)) %".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}

/// What `nip emulate --stats` writes: where the time went, the peak resident set, and the
/// memory of the largest structures.
struct RunStatistics {
    var parse: Double
    var setup: Double
    var run: Double
    var events: Int
    var memory: MemoryUse
    /// The run's partitions, cut links and lookahead.
    var results: EmulationResults
    /// How the file starts, so a later run replaces it.
    static let header = "{\n  \"parse_seconds\""

    /// The process's peak resident set so far, in bytes (`ru_maxrss` is in kB on Linux).
    static var peakResidentBytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    var json: JSONValue {
        .object([
            ("parse_seconds", .decimal(parse, digits: 3)), ("setup_seconds", .decimal(setup, digits: 3)),
            ("run_seconds", .decimal(run, digits: 3)), ("events", .int(events)),
            ("events_per_second", .decimal(Double(events) / max(run, 1e-9), digits: 0)),
            ("peak_resident_bytes", .int(Self.peakResidentBytes)),
            ("memory_computed", .object([
                ("nodes", .int(memory.nodes)), ("routes", .int(memory.routes)), ("route_bytes", .int(memory.routeBytes)),
                ("bytes_per_route", .decimal(memory.bytesPerRoute, digits: 1)),
                ("route_bytes_per_node", .decimal(memory.routeBytesPerNode, digits: 0)),
                ("flows", .int(memory.flows)), ("flow_bytes", .int(memory.flowBytes)),
                ("bytes_per_flow", .decimal(memory.bytesPerFlow, digits: 0)),
                ("bytes_per_queued_packet", .int(memory.queuedPacketBytes)),
                ("queued_packet_length", .int(memory.queuedPacketLength)),
            ])),
            ("partitions", .object([
                ("count", .int(results.partitions)), ("cut_links", .int(results.cutLinks)),
                ("lookahead_ns", results.lookahead.map { .int(Int($0)) } ?? .null),
                ("one_partition_because", results.onePartitionBecause.map { .string($0) } ?? .null),
            ])),
        ])
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}

/// The tables `nip emulate` and `nip demo` print.
struct EmulationSummary {
    let results: EmulationResults
    init(_ results: EmulationResults) { self.results = results }

    var text: String {
        let flowRows = results.flows.map { flow -> [String] in
            let latency = flow.latency
            return [flow.name, "\(flow.from)→\(flow.to)", "\(flow.sent)", "\(flow.delivered)",
                    flow.window != nil && flow.sent > 0 ? percentText(Double(flow.onTime) / Double(flow.sent)) : "-",
                    flow.window != nil && flow.sent > 0 ? percentText(Double(flow.byDeadline) / Double(flow.sent)) : "-",
                    "\(flow.late)", "\(flow.drops.reduce(0) { $0 + $1.count })", "\(flow.trimmed)",
                    milliseconds(latency?.p50), milliseconds(latency?.p99), milliseconds(latency?.p999),
                    milliseconds(latency?.max), String(format: "%.3f", flow.jitter / 1e6)]
        }
        var out = "flows (latency and jitter in ms; on time: share of sent packets delivered within the window, "
            + "its min and max; by deadline: no later than its max)\n"
        out += formatTable(header: ["flow", "path", "sent", "delivered", "on time", "by deadline", "late", "dropped", "trimmed",
                                    "p50", "p99", "p99.9", "max", "jitter"], rows: flowRows)
        let busiest = results.links.filter { $0.packets > 0 }.sorted { ($0.utilisation, $0.name) > ($1.utilisation, $1.name) }.prefix(8)
        out += "\nbusiest links\n"
        out += formatTable(header: ["link", "utilisation", "mean queue", "max queue", "drops", "trimmed chunks"],
                           rows: busiest.map { [$0.name, percentText($0.utilisation), String(format: "%.1f", $0.meanQueue),
                                                "\($0.maxQueue)", "\($0.drops.reduce(0) { $0 + $1.count })", "\($0.trimmedChunks)"] })
        if let governance = results.governance { out += governanceText(governance) }
        return out
    }

    /// Per domain and first hop: sources proven, unproven, refused by reason; then each
    /// revocation with its checkpoint and the measured time to the first refused packet.
    func governanceText(_ governance: GovernanceResult) -> String {
        var out = "\ngovernance (first hops: packets forwarded with a proven source, without one, and refused)\n"
        let rows = governance.domains.flatMap { domain in
            domain.firstHops.map { hop in
                [domain.name, domain.admission.rawValue, hop.name, "\(hop.proven)", "\(hop.unproven)",
                 hop.drops.isEmpty ? "-" : hop.drops.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")]
            }
        }
        out += formatTable(header: ["domain", "admission", "first hop", "proven", "unproven", "refused"], rows: rows)
        let revocations = governance.domains.flatMap { domain in domain.revocations.map { (domain.name, $0) } }
        if !revocations.isEmpty {
            out += "\nrevocations (ms of virtual time; enforced at the domain's next checkpoint)\n"
            out += formatTable(header: ["domain", "host", "decided", "enforced", "first refused", "decided→refused", "refused",
                                        "delivered after"],
                               rows: revocations.map { name, revocation in
                                   [name, revocation.host, milliseconds(revocation.scheduled), milliseconds(revocation.enforced),
                                    milliseconds(revocation.firstDrop), milliseconds(revocation.timeToFirstDrop),
                                    "\(revocation.revokedDrops)", "\(revocation.deliveredAfterScheduled)"]
                               })
        }
        let policies = governance.domains.flatMap { domain in domain.policies.map { (domain, $0) } }
        if !policies.isEmpty {
            out += "\nborder policies (rules in order, first match wins, default permit; packets each rule matched at the borders)\n"
            out += formatTable(header: ["domain", "border", "from (ms)", "rule", "matched"],
                               rows: policies.flatMap { domain, period in
                                   period.rules.map { [domain.name, domain.border.joined(separator: ","), milliseconds(period.from), $0.rule, "\($0.matched)"] }
                                       + [[domain.name, domain.border.joined(separator: ","), milliseconds(period.from), "(no rule: permit)",
                                           "\(period.defaultPermits)"]]
                               })
        }
        out += "\nwhat each node on each flow's path could see and block: nip exposure <results folder>\n"
        return out
    }

    func milliseconds(_ value: Nanoseconds?) -> String {
        value.map { String(format: "%.3f", Double($0) / 1e6) } ?? "-"
    }

    func percentText(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }
}
