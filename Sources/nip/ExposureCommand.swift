import ArgumentParser
import Foundation
import NewIPAnalysis
import NewIPEmulator
import NewIPJSON

struct ExposureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "What each node on each flow's path could see and block (an emulation with domains).",
        discussion: """
        Reads DIR/results.json (written by `nip emulate` for a topology with `domains:`) and prints its \
        exposure section: per flow and per node its packets reached, in path order, the sender identity the \
        node saw (the source address, stable or not, and whether proven there), the other flows it can link \
        to the same device (same source address or key), whether it can block this one device or only an \
        address, and whether it reads the payload. Computed by the emulator from the packets as they arrived \
        at each node (docs/topology.md, "Exposure report").
        """)

    @Argument(help: "A results folder of `nip emulate`.")
    var directory: String

    func run() throws {
        let path = directory + "/results.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): no such file or not readable — give the folder `nip emulate --out` wrote")
        }
        let json: JSONValue
        do { json = try JSONValue.parse([UInt8](data)) } catch {
            throw ValidationError("\(path): \(error)")
        }
        guard let section = json["exposure"] else {
            throw ValidationError("\(path) has no exposure section — the topology has no `domains:` (the report needs them)")
        }
        let report: ExposureReport
        do { report = try ExposureReport(json: section) } catch {
            throw ValidationError("\(path): exposure: \(error)")
        }
        print(Self.text(report), terminator: "")
    }

    static func text(_ report: ExposureReport) -> String {
        "exposure (per flow, each node its packets reached, in path order)\n"
            + formatTable(header: ExposureReport.header, rows: report.rows) + "\n" + ExposureReport.legend + "\n"
    }
}
