import Foundation
import NipTestSupport
import XCTest

/// `nip claims --out DIR`: the report folder (report.md, a self-contained report.html,
/// claims.json and the plots), its numbers, its safety, and its rendering in a real browser.
final class ClaimsReportTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nip-claims-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    static let plots = ["cdf-surgery-best-effort.svg", "cdf-surgery-lbf.svg", "throughput-backup.svg",
                        "throughput-surgery-best-effort.svg", "throughput-surgery-lbf.svg", "topology.svg"]

    func claims(_ arguments: [String]) throws -> NipRunner.Run {
        try NipRunner.run(["claims"] + arguments, in: scratch)
    }

    func contents(_ path: String) throws -> Data { try Data(contentsOf: scratch.appendingPathComponent(path)) }
    func text(_ path: String) throws -> String { String(decoding: try contents(path), as: UTF8.self) }
    func entries(_ folder: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent(folder).path).sorted()
    }

    func testTheReportFolderHoldsTheDocumentThePlotsAndTheNumbersTheyComeFrom() throws {
        let run = try claims(["--out", "report"])
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(try entries("report"), ([".nip-output", "claims.json", "report.html", "report.md"] + Self.plots).sorted())
        XCTAssertEqual(try entries(), ["report"], "no staging folder left beside it")

        // report.md is docs/claims.md with the plots after the baselines' verdict.
        let committed = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("docs/claims.md"), encoding: .utf8)
        let markdown = try text("report/report.md")
        XCTAssertTrue(markdown.hasPrefix(committed + "\n### Plots\n"), "report.md must begin with docs/claims.md")
        for plot in Self.plots { XCTAssertTrue(markdown.contains("](\(plot))\n"), "report.md shows \(plot)") }

        // report.html: every plot inline, nothing fetched.
        let html = try text("report/report.html")
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, Self.plots.count)
        for plot in Self.plots {
            XCTAssertTrue(html.contains(try text("report/\(plot)")), "\(plot) is inline in report.html, byte for byte")
        }
        for fetch in ["src=", "href=", "<script", "<link", "@import", "url("] {
            XCTAssertFalse(html.contains(fetch), "report.html must load nothing (found \(fetch))")
        }
        XCTAssertTrue(html.contains("<th class=\"number\">on time (window)</th>"), "the baselines table, numbers right-aligned")

        // The table's numbers are claims.json's: surgery-lbf under LBF, on time and sent.
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: try contents("report/claims.json")) as? [String: Any])
        let baselines = try XCTUnwrap(json["lbf_baselines"] as? [String: Any])
        let variants = try XCTUnwrap(baselines["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.compactMap { $0["name"] as? String }, ["FIFO", "strict priority", "LBF", "LBF, no early drop"])
        let lbf = try XCTUnwrap((variants[2]["flows"] as? [[String: Any]])?.first { $0["name"] as? String == "surgery-lbf" })
        let sent = try XCTUnwrap(lbf["sent"] as? Int), delivered = try XCTUnwrap(lbf["delivered"] as? Int)
        let onTime = try XCTUnwrap(lbf["on_time"] as? Int)
        let tenths = Int((Double(onTime) / Double(sent) * 1000).rounded())
        XCTAssertTrue(markdown.contains("| LBF | surgery-lbf | \(sent) | \(delivered) | \(tenths / 10).\(tenths % 10) % |"), markdown)
        XCTAssertTrue(try text("report/cdf-surgery-lbf.svg").contains(">\(delivered) of \(sent) sent delivered<"))

        // Rerun: nip wrote the folder, so it is replaced, with identical bytes.
        let before = try Self.plots.map { try contents("report/\($0)") } + [try contents("report/report.html")]
        XCTAssertEqual(try claims(["--out", "report"]).status, 0)
        XCTAssertEqual(try Self.plots.map { try contents("report/\($0)") } + [try contents("report/report.html")], before)
    }

    func testAFolderHoldingOtherFilesIsRefusedBeforeAnythingRunsUnlessForced() throws {
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("mine"), withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: scratch.appendingPathComponent("mine/notes.txt"))
        let refused = try claims(["--out", "mine"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.standardError,
                       "Error: --out mine: the folder holds 1 entry nip did not write (notes.txt); choose a new folder or pass --force\n")
        XCTAssertEqual(try entries("mine"), ["notes.txt"])
        XCTAssertEqual(try entries(), ["mine"], "nothing half-written beside it")
        let here = try claims(["--out", ".", "--force"])
        XCTAssertEqual(here.standardError, "Error: --out .: it is the folder you are in; nip replaces its output folder whole, "
                       + "so choose a new folder (--force does not apply)\n")
        let both = try claims(["--out", "r", "--output", "c.md"])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.standardError.contains("--output and --out are exclusive"), both.standardError)
        XCTAssertEqual(try entries(), ["mine"])
        let forced = try claims(["--out", "mine", "--force"])
        XCTAssertEqual(forced.status, 0, forced.standardError)
        XCTAssertEqual(try entries("mine"), ([".nip-output", "claims.json", "report.html", "report.md"] + Self.plots).sorted())
    }

    /// chromium from PATH; the test is skipped, by name, when it is not installed.
    func chromium(_ test: String = #function) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        throw XCTSkip("\(test) SKIPPED: chromium is not installed (apt-get install chromium), so report.html cannot be rendered")
    }

    /// A headless browser opens report.html from disk with the network off: the DOM it built
    /// holds every plot with its curves and legends, and it paints a page to PNG.
    func testReportRendersInChromium() throws {
        let browser = try chromium()
        XCTAssertEqual(try claims(["--out", "report"]).status, 0)
        let page = scratch.appendingPathComponent("report/report.html").absoluteString
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--proxy-server=127.0.0.1:9",
                     "--user-data-dir=\(scratch.appendingPathComponent("profile").path)"]
        let dom = try NipRunner.run(program: browser, flags + ["--dump-dom", page])
        XCTAssertEqual(dom.status, 0, dom.standardError)
        XCTAssertEqual(dom.standardOutput.components(separatedBy: "<svg ").count - 1, Self.plots.count, "every plot in the DOM")
        XCTAssertEqual(dom.standardOutput.components(separatedBy: "class=\"window\"").count - 1, 2, "both windowed CDFs shade it")
        for variant in ["FIFO", "strict priority", "LBF", "LBF, no early drop"] {
            XCTAssertTrue(dom.standardOutput.contains("data-series=\"\(variant)\""), "a curve for \(variant)")
            XCTAssertTrue(dom.standardOutput.contains("<tspan>\(variant)</tspan>"), "a legend entry for \(variant)")
        }
        let png = scratch.appendingPathComponent("report.png")
        let shot = try NipRunner.run(program: browser, flags + ["--hide-scrollbars", "--window-size=1100,4000", "--screenshot=\(png.path)", page])
        XCTAssertEqual(shot.status, 0, shot.standardError)
        let bytes = try Data(contentsOf: png)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        XCTAssertGreaterThan(bytes.count, 50_000, "a painted page, not a blank one")
    }
}
