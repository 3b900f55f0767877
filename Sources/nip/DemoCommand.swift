import ArgumentParser
import Crypto
import Foundation
import NewIPAnalysis
import NewIPDataPlane
import NewIPEmulator
import NewIPFiles
import NewIPJSON
import NewIPLog
import NewIPRuntime
import NewIPSecurity
import NewIPTopology
import NewIPWire

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the built-in network (Examples/demo.yaml) and tell its story in numbers.",
        discussion: """
        Everything printed is measured in the run (virtual time, seed 2030 unless --seed): no number is \
        typed in. The full measurements go to --out, as with `nip emulate`.
        """)

    @Option(help: "Seed (default: the network's own).")
    var seed: UInt64?

    @Option(help: "Output folder for the full measurements (replaced only if nip wrote it, or with --force).")
    var out = "results/newip-demo"

    @Flag(help: "Replace an output folder holding files nip did not write.")
    var force = false

    func run() throws {
        var topology: Topology
        do {
            topology = try TopologyParser.parse(yaml: BuiltInNetwork.demo, file: "Examples/demo.yaml")
        } catch {
            throw ToolError("the built-in network does not parse: \(error)")
        }
        if let seed { topology.seed = seed }
        try OutputDirectory.check(out, option: "--out", force: force)
        let started = DispatchTime.now().uptimeNanoseconds
        let story = try DemoStory(topology: topology)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        // The governance log goes into the output folder with the measurements, then is read back
        // from where it was published as an outside client reads it (`nip log verify`).
        let staging = try OutputDirectory.begin(out, writer: "nip demo", option: "--out", force: force)
        do {
            try story.governance.log.write(to: staging.path + "/" + GovernanceLog.folder)
            // The surgery traffic under every queue discipline, one chart per flow (as `nip claims --out`).
            let plots = staging.path + "/baselines"
            try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: false)
            for plot in story.baselines.plots { try Data(plot.svg.utf8).write(to: URL(fileURLWithPath: plots + "/" + plot.name)) }
            try story.trimming.finish(staging)
        } catch {
            staging.discard()
            throw error
        }
        let logFolder = out + "/" + GovernanceLog.folder
        let verified = try GovernanceLog.verify(logFolder, key: story.governance.log.signer.verifier.text)
        print(story.text, terminator: "")
        print("   log: \(verified.size) entries, checkpoint verified by an outside reader "
              + "(tree size \(verified.size), root \(hex(verified.root.bytes)))")
        print("   log folder: \(logFolder)/ (`nip log verify \(logFolder) --key \(story.governance.log.signer.verifier.text)`)\n")
        print(String(format: "%d runs of %.1f s virtual time took %.2f s (%d events). Full measurements: %@/ "
                     + "(flows.csv, links.csv, nodes.csv, results.json, cdf-*.svg; baselines/*.svg compare the queue disciplines).",
                     story.runCount, Double(topology.duration) / 1e9, wall, story.events, out))
    }
}

/// The demo's two runs and what they show.
struct DemoStory {
    /// The network as written (the edge queue trims qualitative payloads).
    let trimming: EmulationResults
    /// The same network with whole-packet drop on the edge queue.
    let wholeDrop: EmulationResults
    /// The surgery traffic under FIFO, strict priority, LBF and LBF without early drop.
    let baselines: QueueBaselines
    let topology: Topology
    /// The governance chapter's two runs (open and registered admission).
    let governance: GovernanceChapter

    init(topology: Topology) throws {
        self.topology = topology
        // Queue depth recorded, so the baselines' LBF run is this one (and the folder has queue-depth.csv).
        var asWritten = try Emulation(topology: topology)
        asWritten.recordsQueueDepth = true
        trimming = asWritten.run()
        var noTrim = topology
        for index in noTrim.links.indices { noTrim.links[index].queue.trims = false }
        wholeDrop = try Emulation(topology: noTrim).run()
        baselines = try QueueBaselines(topology: topology, asWritten: trimming)
        governance = try GovernanceChapter(seed: topology.seed)
    }

    /// Runs made (the baselines' LBF run is the network as written) and their events.
    var runCount: Int { 2 + baselines.runs.count - 1 }
    var events: Int { trimming.events + wholeDrop.events + baselines.events - trimming.events }

    func flow(_ name: String, in results: EmulationResults) -> FlowResult? { results.flows.first { $0.name == name } }

    var text: String {
        var out = "New IP demo — \(topology.name), seed \(topology.seed), \(Double(topology.duration) / 1e9) s of virtual time\n"
        out += surgery()
        if let trimmed = flow("video", in: trimming), let dropped = flow("video", in: wholeDrop) {
            out += "\n2. Layered video, 14 Mbps into a 10 Mbps edge (base layer 300 B + enhancements 400 B + 500 B per packet)\n"
            out += video("queue trims enhancement layers", trimmed) + video("queue drops whole packets", dropped)
            out += "   → the link is full either way (same bytes delivered), but trimming spends them on base layers: "
                + "\(trimmed.delivered) frames watchable vs \(dropped.delivered) (\(signed(trimmed.delivered - dropped.delivered)))\n"
        }
        out += manyNets()
        out += "\n4. Header bytes per packet (a surgery packet: 1-byte addresses)\n"
        out += headerBytes()
        out += governance.text
        return out
    }

    /// The IoT island: readings over the gateway, header bytes on each side, translations.
    func manyNets() -> String {
        let readings = trimming.flows.filter { $0.name.hasPrefix("reading") }
        guard !readings.isEmpty, let gateway = trimming.nodes.first(where: { $0.translations != nil }),
              let translations = gateway.translations,
              let island = trimming.links.first(where: { $0.to == "\(gateway.name):island" }),
              let ipv6 = trimming.links.first(where: { $0.from == "\(gateway.name):v6" }),
              island.packets > 0, ipv6.packets > 0 else { return "" }
        let sent = readings.reduce(0) { $0 + $1.sent }, delivered = readings.reduce(0) { $0 + $1.delivered }
        let p50 = readings.compactMap { $0.latency?.p50 }.max()
        let failures = translations.failures.total
        return "\n3. IoT island on 1–2-byte addresses → IPv6-only server, through gateway `\(gateway.name)`\n"
            + "   readings: \(delivered) of \(sent) delivered, p50 up to \(ms(p50)) ms; "
            + "gateway translated \(translations.compactToIP) packets to IPv6 and \(translations.ipToCompact) back (\(failures) failures)\n"
            + String(format: "   network header per packet: %.1f B in the island (compact) vs %.1f B on the IPv6 side, same datagrams\n",
                     Double(island.headerBytes) / Double(island.packets), Double(ipv6.headerBytes) / Double(ipv6.packets))
    }

    func video(_ label: String, _ flow: FlowResult) -> String {
        "   \(label.padding(toLength: 32, withPad: " ", startingAt: 0)) \(flow.sent) sent, \(flow.delivered - flow.trimmed) complete, "
            + "\(flow.trimmed) trimmed, \(flow.sent - flow.delivered) lost; payload kB by layer "
            + (flow.significanceBytes.isEmpty ? "-" : flow.significanceBytes.map { String($0 / 1000) }.joined(separator: " / ")) + "\n"
    }

    /// Network-header bytes of a surgery packet as this network sends it, against IPv4 and IPv6.
    func headerBytes() -> String {
        let source = CompactAddress(value: 0x0A)!, destination = CompactAddress(value: 0x0B)!
        let plain = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: destination, source: source)
        let contract = CompactExtensions.item(for: .latencyBased(LatencyBasedContract(minDelay: 10, maxDelay: 25)))
        let withContract = CompactHeader(ttl: 64, nextHeader: NextHeader(rawValue: 253), destination: destination, source: source,
                                         extensionLength: contract.count)
        let ipv4 = NetworkHeaderVariant.ipv4.headerBytes, ipv6 = NetworkHeaderVariant.ipv6.headerBytes
        return "   compact, no contract \(plain.encodedLength) B · compact with its LBF contract \(withContract.encodedLength) B · "
            + "IPv4 \(ipv4) B · IPv6 \(ipv6) B (neither can carry the contract)\n"
            + "   → \(ipv6 - plain.encodedLength) B saved per packet against IPv6, \(ipv4 - plain.encodedLength) B against IPv4\n"
            + "   Published claim: "
            + (HeaderOverheadStudy().verdict.first ?? "") + " Full table: `nip claims` or docs/claims.md.\n"
    }

    func ms(_ value: Int64?) -> String { value.map { String(format: "%.1f", Double($0) / 1e6) } ?? "-" }
    func percent(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }
    func signed(_ value: Int) -> String { value >= 0 ? "+\(value)" : "\(value)" }
}

/// `nip demo`'s chapter 5: the same four hosts' traffic through one first hop under open and
/// registered admission (BuiltInNetwork.governance), a spoofer, a revocation, and what each
/// node on the registered run's paths could see and block.
struct GovernanceChapter {
    let open: EmulationResults
    let registered: EmulationResults
    /// The registered domain's decisions of the run, as its transparency log holds them.
    let log: GovernanceLog

    init(seed: UInt64) throws {
        func topology(_ admission: String) throws -> Topology {
            var topology = try TopologyParser.parse(yaml: BuiltInNetwork.governance(admission: admission), file: "governance-demo.yaml")
            topology.seed = seed
            return topology
        }
        open = try Emulation(topology: try topology("open")).run()
        let registeredTopology = try topology("registered")
        registered = try Emulation(topology: registeredTopology).run()
        log = GovernanceLog(registered, topology: registeredTopology, seed: seed)
    }

    static let roles = ["h1": "holds a source key", "h2": "holds no key", "spoof": "claims h1's address, no authenticator",
                        "lost": "holds a key, revoked at 1 s"]

    var text: String {
        var out = "\n5. Governance: the same traffic through first hop `fh`, open vs registered admission "
            + "(2 runs of 2 s, 20 packets a host)\n"
        let rows = open.flows.map { flow -> [String] in
            let other = registered.flows.first { $0.name == flow.name }!
            return [flow.name, Self.roles[flow.name] ?? "", Self.outcome(flow), Self.outcome(other)]
        }
        out += indent(formatTable(header: ["host", "what it is", "open", "registered"], rows: rows))
        if let hop = registered.governance?.domains.first?.firstHops.first, let openHop = open.governance?.domains.first?.firstHops.first {
            out += "   first hop forwards: open \(openHop.proven) proven + \(openHop.unproven) unproven (the spoofer's among them); "
                + "registered \(hop.proven) proven, nothing unproven\n"
        }
        if let revocation = registered.governance?.domains.first?.revocations.first, let drop = revocation.timeToFirstDrop {
            out += String(format: "   revocation of `%@`: decided at %.0f ms, its first packet refused %.3f ms later; %d refused\n",
                          revocation.host, Double(revocation.scheduled) / 1e6, Double(drop) / 1e6, revocation.revokedDrops)
        }
        out += "   → open: anyone speaks, spoofed packets included (unproven); registered: the operator decides who speaks "
            + "and can cut one device off\n"
        if let exposure = registered.governance?.exposure {
            out += "   what each node saw and could do (registered run; `nip exposure <folder>` for any run):\n"
            out += indent(formatTable(header: ExposureReport.header, rows: exposure.rows))
        }
        return out
    }

    static func outcome(_ flow: FlowResult) -> String {
        "\(flow.delivered)/\(flow.sent)" + flow.drops.map { " \($0.reason)=\($0.count)" }.joined()
    }

    func indent(_ table: String) -> String {
        table.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "   " + $0 }.joined(separator: "\n")
            + (table.hasSuffix("\n") ? "" : "\n")
    }
}

/// The governance chapter's transparency log (docs/log.md): each registered domain's decisions
/// of the run, one-line JSON entries shaped like `nip registrar`'s (Registrar.swift) — the
/// enrolments of its enrolled members (spoofers hold no key and are not enrolled), at 0, then
/// each revocation and border-policy change at its virtual decision time (`time` in seconds as
/// the registrar writes it, `time_ns` exact). The checkpoint is signed with an Ed25519 key
/// derived from the seed, so the same seed gives the same log, byte for byte.
struct GovernanceLog {
    static let folder = "governance-log"

    let origin: String
    let signer: NoteSigner
    let entries: [String]

    init(_ results: EmulationResults, topology: Topology, seed: UInt64) {
        let domains = (results.governance?.domains ?? []).filter { $0.admission == .registered }
        origin = "\(domains.first?.name ?? "demo")/registrar"
        var material = Array("swift-newip demo governance log key\n".utf8)
        withUnsafeBytes(of: seed.bigEndian) { material += $0 }
        // A 32-byte SHA-256 digest is always a valid Ed25519 seed, and the origin a valid key name.
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(SHA256.hash(data: material)))
        signer = try! NoteSigner(name: origin, type: .ed25519, key: key)
        var decisions: [(time: Int64, entry: JSONValue)] = []
        func timed(_ time: Int64) -> [(String, JSONValue)] {
            [("time", .unsigned(UInt64(time / 1_000_000_000))), ("time_ns", .int(Int(time)))]
        }
        for domain in domains {
            let spoofers = Set(domain.spoofers.map(\.host))
            for host in domain.enrolled where !spoofers.contains(host) {
                guard let node = topology.nodeIndex(named: host), let address = topology.nodes[node].interfaces.first(where: {
                    Topology.Network($0.address, dialect: topology.dialect) == .newIP
                })?.address else { continue }
                decisions.append((0, .object([("type", .string("enrolment")), ("decision", .string("granted")),
                                              ("address", .string("\(address)")), ("host", .string(host))] + timed(0))))
            }
            for revocation in domain.revocations {
                decisions.append((revocation.scheduled, .object([
                    ("type", .string("revocation")), ("address", .string(revocation.address)), ("reason", .string("scenario")),
                    ("host", .string(revocation.host)),
                ] + timed(revocation.scheduled))))
            }
            for period in domain.policies where period.from > 0 {
                decisions.append((period.from, .object([
                    ("type", .string("policy")), ("domain", .string(domain.name)),
                    ("rules", .array(period.rules.map { .string("\($0.action) \($0.rule)") })),
                ] + timed(period.from))))
            }
        }
        // Stable: at one time, enrolments before revocations before policies, each in scenario order.
        entries = decisions.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map { $0.element.entry.serialized }
    }

    /// Creates the log in `directory` (a new folder) under the derived key and appends every
    /// entry under one signed checkpoint.
    func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let empty = Checkpoint(origin: origin, size: 0, root: .empty)
        try Data((signer.text + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/" + LogWriter.keyFile))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/" + LogWriter.keyFile)
        try Data((signer.verifier.text + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/" + LogWriter.verifierFile))
        try Data(Note(text: empty.body, signatures: [try signer.sign(empty.body)]).serialized.utf8)
            .write(to: URL(fileURLWithPath: directory + "/" + LogWriter.checkpointFile))
        try LogWriter(directory: directory).append(entries.map { Data($0.utf8) })
    }

    /// Verifies the log in `directory` as `nip log verify DIR --key KEY` does: the checkpoint's
    /// signature by `key`, every tile and bundle, the tree hash recomputed from the entries.
    static func verify(_ directory: String, key: String) throws -> Checkpoint {
        let reader = try LogClientOptions.parse([directory, "--key", key]).reader()
        try reader.verifyAll()
        return reader.checkpoint
    }
}
