import NewIPFiles
import NewIPJSON
import NewIPTopology

extension EmulationResults {
    /// The output files with every flow's CDF plot.
    public var files: [(name: String, contents: [UInt8])] { files(flowPlots: .all) }

    /// The output files: `results.json`, `flows.csv`, `links.csv`, `nodes.csv`, a
    /// `cdf-<flow>.svg` per flow that `flowPlots` picks, one `capture-<node>-<interface>.pcapng`
    /// per captured interface, with `routing: dynamic` `routing-events.csv` and
    /// `routing-links.csv`, and `queue-depth.csv` when the run recorded queue depth. Sorted
    /// keys, fixed decimals, no timestamps: the same run gives the same bytes.
    public func files(flowPlots: FlowPlots) -> [(name: String, contents: [UInt8])] {
        // The four are independent and at 100,000 flows each takes a while: rendered side by side.
        let names = ["results.json", "flows.csv", "links.csv", "nodes.csv"]
        let tables = ParallelMap.map(names.count, threads: ParallelMap.cores) { index in
            switch index {
            case 0: json.indentedBytes
            case 1: flowsCSV
            case 2: linksCSV
            default: nodesCSV
            }
        }
        var files: [(String, [UInt8])] = Array(zip(names, tables))
        for flow in flows.prefix(flowPlots.count(of: flows.count)) {
            let plot = CDFPlot(title: "One-way delay CDF — \(flow.name)", series: [CDFPlot.Series(name: flow.name, flow: flow)],
                               window: flow.window)
            files.append(("cdf-\(flow.name).svg", Array(plot.svg.utf8)))
        }
        for capture in captures { files.append((Self.captureFileName(capture.name), capture.bytes)) }
        if let routing {
            files.append(("routing-events.csv", Array(routing.eventsCSV.utf8)))
            files.append(("routing-links.csv", Array(routing.linksCSV.utf8)))
        }
        if links.contains(where: { $0.queueDepth != nil }) { files.append(("queue-depth.csv", Array(queueDepthCSV.utf8))) }
        return files
    }

    /// The file of the capture of interface `name` (`node-interface`).
    static func captureFileName(_ name: String) -> String { "capture-\(name).pcapng" }

    /// Adds the result files to a folder being written (which may already hold streamed
    /// captures) and puts it in place.
    public func finish(_ staging: OutputDirectory.Staging, flowPlots: FlowPlots = .all) throws(FileProblem) {
        try staging.finish(files(flowPlots: flowPlots))
    }

    /// Writes `files` as the folder `directory`, atomically, replacing only a folder nip
    /// wrote unless `force` (see `OutputDirectory`); `writer` names the command in the marker.
    public func write(to directory: String, writer: String = "nip", option: String? = nil, force: Bool = false,
                      inputs: [String] = []) throws(FileProblem) {
        try OutputDirectory.write(files, to: directory, writer: writer, option: option, force: force, inputs: inputs)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name),
            "seed": .integer(Int64(bitPattern: seed)),
            "duration_ns": .integer(duration),
            "flows": .array(flows.map { $0.json(manyNets: isManyNets) }),
            "links": .array(links.map { $0.json(manyNets: isManyNets) }),
            "nodes": .array(nodes.map { $0.json(manyNets: isManyNets) }),
        ]
        if let governance {
            members["governance"] = governance.json
            members["exposure"] = governance.exposure.json
        }
        if let neighbours { members["neighbours"] = neighbours.json }
        return .members(members)
    }

    /// One column per drop reason that any flow saw, by the reason's name (`drops_queue-full`;
    /// prefixed, since the reason `late` would clash with the judgement `late`), after `drops`,
    /// the total: a spreadsheet sums and filters them without parsing a packed cell.
    private var flowsCSV: [UInt8] {
        let reasons = Set(flows.flatMap { $0.drops.map(\.reason) }).sorted()
        // Once, not per row: a million flows without chunks made it a trillion checks.
        let chunked = hasChunks
        return CSVText.bytes(
            header: ["flow", "from", "to", "sent", "sent_bytes", "delivered", "delivered_bytes", "early", "on_time", "late",
                     "by_deadline", "trimmed", "in_flight", "unaccounted", "drops"] + reasons.map { "drops_\($0)" }
                + ["latency_min_ns", "latency_mean_ns", "latency_p50_ns",
                     "latency_p99_ns", "latency_p99_9_ns", "latency_max_ns", "jitter_ns"]
                + (isManyNets ? ["sent_header_bytes", "delivered_header_bytes", "sent_header_per_packet", "delivered_header_per_packet"] : [])
                + (chunked ? ["bytes_by_significance"] : []),
            rows: flows.map { flow in
                let latency = flow.latency.map { latency in
                    [String(latency.min), DecimalText.fixed(latency.mean, digits: 3), String(latency.p50),
                     String(latency.p99), String(latency.p999), String(latency.max)]
                } ?? Array(repeating: "", count: 6)
                return [flow.name, flow.from, flow.to]
                    + [flow.sent, flow.sentBytes, flow.delivered, flow.deliveredBytes, flow.early, flow.onTime, flow.late,
                       flow.byDeadline, flow.trimmed, flow.inFlight, flow.unaccounted].map { String($0) }
                    + [String(flow.drops.reduce(0) { $0 + $1.count })]
                    + reasons.map { reason in String(flow.drops.first { $0.reason == reason }?.count ?? 0) }
                    + latency + [DecimalText.fixed(flow.jitter, digits: 3)]
                    + (isManyNets ? [String(flow.sentHeaderBytes), String(flow.deliveredHeaderBytes),
                                     DecimalText.fixed(flow.sentHeaderPerPacket, digits: 3),
                                     DecimalText.fixed(flow.deliveredHeaderPerPacket, digits: 3)] : [])
                    + (chunked ? [flow.significanceBytes.map(String.init).joined(separator: " ")] : [])
            })
    }

    /// Whether any flow cut its payload into chunks (flows.csv then lists bytes per level).
    private var hasChunks: Bool { flows.contains { !$0.significanceBytes.isEmpty }
    }

    private var linksCSV: [UInt8] {
        CSVText.bytes(
            header: ["link", "from", "to", "packets", "bytes", "busy_ns", "utilisation", "queue_mean", "queue_max", "drops",
                     "trimmed_chunks", "trimmed_bytes", "corrupted"] + (isManyNets ? ["header_bytes", "header_per_packet"] : []),
            rows: links.map { link in
                [link.name, link.from, link.to, String(link.packets), String(link.bytes), String(link.busyTime),
                 DecimalText.fixed(link.utilisation, digits: 6), DecimalText.fixed(link.meanQueue, digits: 6),
                 String(link.maxQueue), Self.dropText(link.drops), String(link.trimmedChunks), String(link.trimmedBytes),
                 String(link.corrupted)]
                    + (isManyNets ? [String(link.headerBytes), DecimalText.fixed(link.headerPerPacket, digits: 3)] : [])
            })
    }

    /// Every change of every recorded egress queue, by link then time: the depth from that
    /// instant on (zero before a link's first row).
    var queueDepthCSV: String {
        CSVText.table(header: ["link", "time_ns", "packets", "bytes"], rows: links.flatMap { link in
            (link.queueDepth?.samples ?? []).map { [link.name, String($0.time), String($0.packets), String($0.bytes)] }
        })
    }

    private var nodesCSV: [UInt8] {
        CSVText.bytes(
            header: ["node", "kind", "received", "originated", "transmitted", "forwarded", "delivered", "drops"]
                + (isManyNets ? ["compact_to_ip", "ip_to_compact", "translation_failures"] : []),
            rows: nodes.map { node in
                [node.name, node.kind.rawValue] + [node.received, node.originated, node.transmitted, node.forwarded,
                                                   node.delivered].map(String.init) + [Self.dropText(node.drops)]
                    + (isManyNets ? node.translations.map { translations in
                        [String(translations.compactToIP), String(translations.ipToCompact),
                         Self.dropText(translations.failures.sorted)]
                    } ?? ["", "", ""] : [])
            })
    }

    /// `reason=count` pairs separated by spaces, by reason.
    private static func dropText(_ drops: [(reason: String, count: Int)]) -> String {
        drops.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
    }
}

func dropsJSON(_ drops: [(reason: String, count: Int)]) -> JSONValue {
    .members(Dictionary(uniqueKeysWithValues: drops.map { ($0.reason, JSONValue.int($0.count)) }))
}

extension FlowResult {
    /// Mean network-header bytes per packet sent, and per packet delivered.
    public var sentHeaderPerPacket: Double { sent == 0 ? 0 : Double(sentHeaderBytes) / Double(sent) }
    public var deliveredHeaderPerPacket: Double { delivered == 0 ? 0 : Double(deliveredHeaderBytes) / Double(delivered) }

    func json(manyNets: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "from": .string(from), "to": .string(to),
            "sent": .int(sent), "sent_bytes": .int(sentBytes), "delivered": .int(delivered),
            "delivered_bytes": .int(deliveredBytes), "early": .int(early), "on_time": .int(onTime), "late": .int(late),
            "by_deadline": .int(byDeadline),
            "trimmed": .int(trimmed), "in_flight": .int(inFlight), "unaccounted": .int(unaccounted),
            "drops": dropsJSON(drops), "jitter_ns": .decimal(jitter, digits: 3),
        ]
        if manyNets {
            members["header_bytes"] = .members([
                "sent": .int(sentHeaderBytes), "delivered": .int(deliveredHeaderBytes),
                "sent_per_packet": .decimal(sentHeaderPerPacket, digits: 3),
                "delivered_per_packet": .decimal(deliveredHeaderPerPacket, digits: 3),
            ])
        }
        if !significanceBytes.isEmpty {
            members["bytes_by_significance"] = .array(significanceBytes.map { .int($0) })
        }
        if let window {
            members["window_ns"] = .members(["min": .integer(window.min), "max": .integer(window.max)])
        }
        if let latency {
            members["latency_ns"] = .members([
                "min": .integer(latency.min), "mean": .decimal(latency.mean, digits: 3), "p50": .integer(latency.p50),
                "p99": .integer(latency.p99), "p99_9": .integer(latency.p999), "max": .integer(latency.max),
            ])
        }
        return .members(members)
    }
}

extension LinkResult {
    /// Mean network-header bytes per packet carried.
    public var headerPerPacket: Double { packets == 0 ? 0 : Double(headerBytes) / Double(packets) }

    func json(manyNets: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "from": .string(from), "to": .string(to), "packets": .int(packets), "bytes": .int(bytes),
            "busy_ns": .integer(busyTime), "utilisation": .decimal(utilisation, digits: 6),
            "queue_mean": .decimal(meanQueue, digits: 6), "queue_max": .int(maxQueue), "drops": dropsJSON(drops),
            "trimmed_chunks": .int(trimmedChunks), "trimmed_bytes": .int(trimmedBytes), "corrupted": .int(corrupted),
        ]
        if manyNets {
            members["header_bytes"] = .int(headerBytes)
            members["header_per_packet"] = .decimal(headerPerPacket, digits: 3)
        }
        return .members(members)
    }
}

extension NodeResult {
    func json(manyNets: Bool) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "kind": .string(kind.rawValue), "received": .int(received),
            "originated": .int(originated), "transmitted": .int(transmitted), "forwarded": .int(forwarded),
            "delivered": .int(delivered), "drops": dropsJSON(drops),
        ]
        if manyNets, let translations {
            members["translations"] = .members([
                "compact_to_ip": .int(translations.compactToIP), "ip_to_compact": .int(translations.ipToCompact),
                "failures": dropsJSON(translations.failures.sorted),
            ])
        }
        return .members(members)
    }
}
