import ArgumentParser
import Foundation
import NewIPJSON
import NewIPRuntime

struct NeighboursCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "Show a running node's neighbours: per interface, each one's state, address and age.",
        discussion: """
        A node whose file has a `neighbours:` section runs OpenHarmony's neighbour discovery on its compact \
        interfaces (docs/node.md). States: incomplete (solicited, no answer yet), reachable (an advertisement \
        or hello confirmed it), stale (the confirmation ran out; being probed), down (unanswered). Age: since \
        the last confirmation. Link-layer address: over the UDP underlay, the neighbour's IPv4 address and port.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Flag(help: "Print the node's answer as JSON.")
    var json = false

    func run() throws {
        let answer = try nodeOptions.get("/neighbours")
        if json {
            print(answer.serialized)
            return
        }
        guard let interfaces = answer["interfaces"]?.arrayValue else {
            throw ToolError("node \(try nodeOptions.target().name) runs no neighbour discovery (its node file has no `neighbours:` section)")
        }
        print(Self.table(interfaces))
    }

    /// One line per neighbour under its interface's, columns aligned.
    static func table(_ interfaces: [JSONValue]) -> String {
        var rows: [[String]] = [["interface", "neighbour", "state", "link-layer", "age"]]
        for interface in interfaces {
            let name = "\(interface["name"]?.stringValue ?? "?") (\(interface["address"]?.stringValue ?? "?"))"
            let neighbours = interface["neighbours"]?.arrayValue ?? []
            if neighbours.isEmpty { rows.append([name, "-", "-", "-", "-"]) }
            for neighbour in neighbours {
                let age = neighbour["age_ms"]?.intValue.map { String(format: "%.1fs", Double($0) / 1000) } ?? "never confirmed"
                rows.append([name, neighbour["address"]?.stringValue ?? "?", neighbour["state"]?.stringValue ?? "?",
                             neighbour["lladdr"]?.stringValue ?? "?", age])
            }
        }
        return alignedColumns(rows)
    }
}

extension NodeOptions {
    /// The node's JSON answer to `GET path`; a refusal or an answer that is not JSON is an
    /// error naming the node.
    func get(_ path: String) throws -> JSONValue {
        let target = try target()
        let response = try ControlClient.request("GET", target.control, path)
        guard response.status == 200 else { throw ToolError("node \(target.name): \(response.errorMessage)") }
        do { return try response.value() } catch { throw ToolError("node \(target.name): \(error)") }
    }
}

/// Rows of cells in columns two spaces apart, each as wide as its widest cell (the first row
/// is the header).
func alignedColumns(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
    return rows.map { row in
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n")
}
