import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPEmulator
import NewIPFiles
import NewIPJSON
import NewIPRuntime
import NewIPTopology

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a topology's flows on real nodes and write the emulator's measurements.",
        discussion: """
        Starts the topology's nodes as `nip up` does, sends its flows from the source nodes' application \
        ports with the wall clock (the emulator's send times, sizes and packet bytes), receives them at the \
        destination nodes, stops the nodes as `nip down` does, and writes results.json, flows.csv, links.csv, \
        nodes.csv and cdf-FLOW.svg to --out in the schema of `nip emulate`, so `nip compare` can set the two \
        side by side. Latency is the one-way delay through the real nodes on this host's monotonic clock; \
        over UDP on loopback each sending node spends its links' rate, delay and loss itself (`emulate-link`), \
        as the emulator's links do, so queues build where they build emulated. Each node charges a drop to \
        the flow whose probe the packet carries, so flows show their drops by reason; what a node never saw \
        (still in flight when the run stopped) is unaccounted. See docs/node.md.
        """)

    @Argument(help: "The topology file.")
    var topology: String

    @Option(help: "How long the flows run (default: the file's duration); flows stopping later stop then.")
    var duration: String?

    @Option(help: "How long to wait for the last packets after the flows stop.")
    var drain = "500ms"

    @Option(help: "Output folder (default: results/<topology name>-run).")
    var out: String?

    @OptionGroup var nodes: NodeStartOptions

    func run() throws {
        guard !nodes.netns else { throw ToolError("--netns: `nip run` drives flows over UDP links only; use `nip up --netns`") }
        let loaded: Topology
        do { loaded = try TopologyParser.load(path: topology) } catch { throw ToolError(error.description) }
        var parsed = loaded
        let drainTime: Nanoseconds
        do {
            drainTime = try Units.duration(drain)
            if let duration { parsed.duration = try Units.duration(duration) }
        } catch { throw ToolError("\(duration.map { "--duration \($0)" } ?? "--drain \(drain)"): \(error)") }
        for index in parsed.flows.indices { parsed.flows[index].stop = min(parsed.flows[index].stop, parsed.duration) }
        let folder = out ?? "results/\(parsed.name)-run"
        let option = out == nil ? nil : "--out"
        // Refused before any node starts, not after the run.
        try OutputDirectory.check(folder, option: option, force: nodes.force, inputs: [topology])
        // The nodes are the file's (checked as written); --duration only shortens the flows.
        let runState = try nodes.start(loaded, from: topology)
        if !parsed.domains.isEmpty { parsed = try DomainDeployment.selfCertified(parsed, state: nodes.state) }
        let interrupt = InterruptCleanup { _ = ProcessControl.stopAll(runState.nodes + (runState.registrars ?? [])) }
        let results: EmulationResults
        do {
            let apps = Dictionary(uniqueKeysWithValues: runState.nodes.compactMap { entry in
                NodeConfig.Endpoint(entry.app).map { (entry.name, $0) }
            })
            let flowTopology = parsed
            // The file's revocations, at their times, through the domains' registrars (`POST /revoke`),
            // and its policy changes, through the borders' control endpoints (`POST /policy`).
            let changes = DomainDeployment.policyChanges(parsed, nodes: runState.nodes)
                .filter { $0.at < parsed.duration }
                .map { change -> (at: Nanoseconds, action: @Sendable () -> Void) in
                    (change.at, {
                        switch change.apply() {
                        case .success: print("run: the borders of \(change.domain) changed their policy at \(UnitText.duration(change.at))")
                        case .failure(let error): FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
                        }
                    })
                }
            let events = changes + DomainDeployment.revocations(parsed, registrars: runState.registrars ?? [])
                .filter { $0.at < parsed.duration }
                .map { revocation -> (at: Nanoseconds, action: @Sendable () -> Void) in
                    (revocation.at, {
                        switch revocation.apply() {
                        case .success: print("run: \(revocation.domain) revoked \(revocation.host) (\(revocation.address)) at \(UnitText.duration(revocation.at))")
                        case .failure(let error): FileHandle.standardError.write(Data("warning: \(error)\n".utf8))
                        }
                    })
                }
            let records = try runBlocking { try await FlowDriver.run(flowTopology, apps: apps, drain: drainTime, events: events) }
            var counters: [String: NodeCounters] = [:]
            for entry in runState.nodes {
                guard let endpoint = NodeConfig.Endpoint(entry.control) else {
                    throw ToolError("node \(entry.name): its control endpoint `\(entry.control)` is not host:port")
                }
                do {
                    counters[entry.name] = try ControlClient.request("GET", endpoint, "/counters").read(NodeCounters.init)
                } catch {
                    throw ToolError("node \(entry.name): no counters from its control endpoint \(entry.control): \(error)")
                }
            }
            results = EmulationResults(realRun: parsed, records: records, counters: counters)
        } catch {
            interrupt.cancel()
            try? DownCommand.stop(runState, state: nodes.state, grace: 5)
            throw error
        }
        interrupt.cancel()
        try DownCommand.stop(runState, state: nodes.state, grace: 5)
        try results.write(to: folder, writer: "nip run", option: option, force: nodes.force, inputs: [topology])
        print(EmulationSummary(results).text)
        print("\(results.name) · \(Double(results.duration) / 1e9) s on real nodes · results in \(folder)")
    }
}

/// What `nip run` takes from a node's `GET /counters`.
struct NodeCounters {
    struct Interface {
        var rxPackets: Int
        var txPackets: Int
        var txBytes: Int
        var drops: [String: Int]
    }

    var delivered: Int
    /// By interface name; `app` is the node's own traffic.
    var interfaces: [String: Interface]
    /// Drops of flows' packets at this node, by flow index (empty from a node too old to say).
    var flowDrops: [Int: [String: Int]] = [:]

    init(_ json: JSONValue) throws(JSONValue.FieldError) {
        delivered = try json.int("delivered")
        interfaces = [:]
        for (name, counts) in try json.object("interfaces") {
            do throws(JSONValue.FieldError) {
                interfaces[name] = Interface(rxPackets: try counts.int("rx_packets"), txPackets: try counts.int("tx_packets"),
                                             txBytes: try counts.int("tx_bytes"), drops: try counts.intMembers("drops"))
            } catch { throw error.inside("interfaces.\(name)") }
        }
        if let byFlow = try json.optionalField("flow_drops") {
            for (flow, _) in byFlow.objectValue ?? [] {
                guard let index = Int(flow) else { continue }
                flowDrops[index] = try json.intMembers("flow_drops", flow)
            }
        }
    }
}

extension EmulationResults {
    /// A real run in the emulator's schema. Flows: counted by `FlowStatistics` as the emulator
    /// counts them, drops by reason as the nodes charged them to each flow (by its packets'
    /// probes); packets still in flight when the run stopped are `unaccounted`. Nodes and links: the nodes'
    /// counters (`/counters`); `forwarded` is transmitted minus originated; busy time and
    /// queue lengths are not measured on real nodes (0).
    init(realRun topology: Topology, records: [FlowDriver.Record], counters: [String: NodeCounters]) {
        let flows = zip(topology.flows, records).enumerated().map { index, pair in
            let (flow, record) = pair
            var statistics = FlowStatistics(window: flow.judgedWindow)
            for node in counters.values {
                for (label, count) in node.flowDrops[index] ?? [:] {
                    if let reason = DropReason(label: label) { statistics.dropped(reason, count: count) }
                }
            }
            for size in record.sent { statistics.sent(bytes: size, header: record.headerBytes) }
            for delivery in record.deliveries {
                let sent = Int(delivery.sequence) < record.sent.count ? record.sent[Int(delivery.sequence)] : delivery.bytes
                statistics.delivered(latency: delivery.latency, bytes: delivery.bytes, header: record.headerBytes,
                                     trimmed: delivery.bytes < sent)
            }
            return FlowResult(flow, statistics, topology: topology)
        }
        func interfaces(_ node: String) -> [String: NodeCounters.Interface] { counters[node]?.interfaces ?? [:] }
        func drops(_ interface: NodeCounters.Interface?) -> [String: Int] { interface?.drops ?? [:] }
        func sorted(_ drops: [String: Int]) -> [(reason: String, count: Int)] {
            drops.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        // Both directions of each link, in the emulator's order.
        let links = topology.links.flatMap { link in
            [(link.endpoints.0, link.endpoints.1), (link.endpoints.1, link.endpoints.0)].map { from, to in
                let sender = interfaces(topology.nodes[from.node].name)[topology.interface(from).name]
                return LinkResult(from: topology.name(of: from), to: topology.name(of: to), packets: sender?.txPackets ?? 0,
                                  bytes: sender?.txBytes ?? 0, busyTime: 0, utilisation: 0, meanQueue: 0, maxQueue: 0,
                                  drops: sorted(drops(sender).filter {
                                      $0.key == DropReason.queueFull.description || $0.key == DropReason.linkLoss.description
                                  }),
                                  trimmedChunks: 0, trimmedBytes: 0, corrupted: 0, headerBytes: 0)
            }
        }
        let nodes = topology.nodes.map { node in
            let all = interfaces(node.name)
            let network = all.filter { $0.key != "app" }.values
            let originated = all["app"]?.rxPackets ?? 0
            let transmitted = network.reduce(0) { $0 + $1.txPackets }
            return NodeResult(name: node.name, kind: node.kind, received: network.reduce(0) { $0 + $1.rxPackets },
                              originated: originated, transmitted: transmitted, forwarded: max(0, transmitted - originated),
                              delivered: counters[node.name]?.delivered ?? 0,
                              // A link's losses are the link's, as emulated, not the node's.
                              drops: sorted(all.values.reduce(into: [:]) { sum, interface in
                                  sum.merge(drops(interface).filter { $0.key != DropReason.linkLoss.description },
                                            uniquingKeysWith: +)
                              }), translations: nil)
        }
        self.init(name: topology.name, seed: topology.seed, duration: topology.duration, flows: flows, links: links, nodes: nodes,
                  isManyNets: topology.isManyNets)
    }
}
