import ArgumentParser
import Foundation
import NewIPJSON
import NewIPRuntime

struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Show a running node's forwarding table: per route its metric, next hop, age and origin.",
        discussion: """
        Source: local (the node's own addresses), static (the node file's `routes:`), learned (the routing \
        protocol of the node file's `routing:` section, docs/node.md). Metric: the path's delay and hop count \
        (latency-based forwarding's to-delay and to-hops). Next hop: the interface and, for a learned route, \
        the neighbour's address. Origin: the router id that announced the destination. Below the table: the \
        protocol's neighbours with their measured link delays, and its counters (refused packets among them).
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Flag(help: "Print the node's answer as JSON.")
    var json = false

    func run() throws {
        let answer = try nodeOptions.get("/routes")
        if json {
            print(answer.serialized)
            return
        }
        guard let routes = answer["routes"]?.arrayValue else {
            throw ToolError("node \(try nodeOptions.target().name): the answer to GET /routes has no `routes` list (a node older than this nip?)")
        }
        print(Self.table(routes))
        if let routing = answer["routing"], routing.objectValue != nil { print("\n" + Self.protocolText(routing)) }
    }

    /// One line per route, columns aligned.
    static func table(_ routes: [JSONValue]) -> String {
        var rows: [[String]] = [["prefix", "source", "via", "neighbour", "delay", "hops", "origin", "age"]]
        for route in routes {
            let source = route["source"]?.stringValue ?? "?"
            let age = route["age_ms"]?.intValue.map { String(format: "%.1fs", Double($0) / 1000) } ?? "-"
            let delay = route["metric"]?["delay_ns"]?.intValue.map(duration) ?? route["to-delay"]?.stringValue ?? "?"
            let hops = (route["metric"]?["hops"]?.intValue ?? route["to-hops"]?.intValue).map(String.init) ?? "?"
            rows.append([route["prefix"]?.stringValue ?? "?", source, route["via"]?.stringValue ?? "?",
                         route["neighbour"]?.stringValue ?? "-", source == "local" ? "-" : delay, source == "local" ? "-" : hops,
                         route["origin"]?.stringValue ?? "-", source == "local" ? "-" : age])
        }
        return alignedColumns(rows)
    }

    /// The protocol's neighbours, then its counters that are not zero.
    static func protocolText(_ routing: JSONValue) -> String {
        var rows: [[String]] = [["neighbour", "interface", "router", "link delay"]]
        for neighbour in routing["neighbours"]?.arrayValue ?? [] {
            rows.append([neighbour["address"]?.stringValue ?? "?", neighbour["interface"]?.stringValue ?? "?",
                         neighbour["router"]?.stringValue ?? "?", neighbour["delay_ns"]?.intValue.map(duration) ?? "not measured"])
        }
        let header = "\(routing["protocol"]?.stringValue ?? "?") router \(routing["router_id"]?.stringValue ?? "?") on "
            + (routing["interfaces"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
        let counters = (routing["counters"]?.objectValue ?? []).compactMap { name, value -> String? in
            guard let count = value.intValue, count != 0 else { return nil }
            return "\(name.replacingOccurrences(of: "_", with: " ")) \(count)"
        }
        return ([header] + [alignedColumns(rows)] + ["counters: " + (counters.isEmpty ? "all zero" : counters.joined(separator: ", "))])
            .joined(separator: "\n")
    }

    /// `ns` as milliseconds with three decimals (the table's unit).
    static func duration(_ ns: Int) -> String { String(format: "%.3fms", Double(ns) / 1e6) }
}
