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

    static let plots = ["cdf-surgery-best-effort.svg", "cdf-surgery-lbf.svg", "queue-depth-bottleneck.svg", "throughput-backup.svg",
                        "throughput-surgery-best-effort.svg", "throughput-surgery-lbf.svg", "topology.svg"]
    static let files = [".nip-output", "claims.json", "headline.md", "queue-depth-bottleneck.csv", "report.html", "report.md"]

    /// `nip claims` in the scratch folder, quoting the package's large reconvergence run as
    /// docs/claims.md does (its default path is relative to the package root).
    func claims(_ arguments: [String]) throws -> NipRunner.Run { try Self.claims(arguments, in: scratch) }

    static func claims(_ arguments: [String], in folder: URL) throws -> NipRunner.Run {
        let reconvergence = NipRunner.packageRoot.appendingPathComponent("docs/routing-reconvergence.json").path
        return try NipRunner.run(["claims"] + arguments + (arguments.contains("--out") ? ["--reconvergence", reconvergence] : []),
                                 in: folder)
    }

    /// The folder of the report that the tests which only read it share: the whole study takes
    /// about 10 s in a debug build, so it runs once per test process (when a test first asks).
    static let sharedFolder = FileManager.default.temporaryDirectory
        .appendingPathComponent("nip-claims-shared-\(ProcessInfo.processInfo.processIdentifier)")
    /// `nip claims --out report`'s folder, from the one shared run.
    static let sharedReport = Result { () throws -> URL in
        try FileManager.default.createDirectory(at: sharedFolder, withIntermediateDirectories: true)
        let run = try claims(["--out", "report"], in: sharedFolder)
        guard run.status == 0 else { throw SharedRunFailed(status: run.status, standardError: run.standardError) }
        return sharedFolder.appendingPathComponent("report")
    }

    struct SharedRunFailed: Error {
        var status: Int32
        var standardError: String
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: sharedFolder)
    }

    func contents(_ path: String) throws -> Data { try Data(contentsOf: scratch.appendingPathComponent(path)) }
    func text(_ path: String) throws -> String { String(decoding: try contents(path), as: UTF8.self) }
    func entries(_ folder: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.appendingPathComponent(folder).path).sorted()
    }

    func testTheReportFolderHoldsTheDocumentThePlotsAndTheNumbersTheyComeFrom() throws {
        try FileManager.default.copyItem(at: try Self.sharedReport.get(), to: scratch.appendingPathComponent("report"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: Self.sharedFolder.path), ["report"],
                       "no staging folder left beside it")
        XCTAssertEqual(try entries("report"), (Self.files + Self.plots).sorted())

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
        for fetch in ["src=", "href=", "<script ", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"] {
            XCTAssertFalse(html.contains(fetch), "report.html must load nothing (found \(fetch))")
        }
        XCTAssertEqual(html.components(separatedBy: "<script>").count - 1, 1, "one inline script: the table sorting")
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

        // The other baselines' numbers are claims.json's too.
        let trimming = try XCTUnwrap((json["trimming_baseline"] as? [String: Any])?["outcomes"] as? [[String: Any]])
        XCTAssertEqual(trimming.compactMap { $0["name"] as? String }, ["New IP trimming", "whole-packet drop", "two priority classes"])
        for outcome in trimming {
            let share = try XCTUnwrap(outcome["base_layer_share"] as? Double), frames = try XCTUnwrap(outcome["frames"] as? Int)
            let tenths = Int((share * 1000).rounded())
            XCTAssertTrue(markdown.contains("| \(outcome["name"]!) | \(frames) | \(tenths / 10).\(tenths % 10) % |"), "\(outcome["name"]!)")
        }
        let gateway = try XCTUnwrap((json["gateway_baseline"] as? [String: Any])?["outcomes"] as? [[String: Any]])
        XCTAssertEqual(gateway.compactMap { $0["name"] as? String }, ["New IP island + gateway", "native IPv6"])
        let control = try XCTUnwrap((json["control_plane_baseline"] as? [String: Any])?["outcomes"] as? [[String: Any]])
        let reroute = try XCTUnwrap(control.last?["reroute_ns"] as? Int)
        let hundredths = (reroute + 5_000) / 10_000
        XCTAssertTrue(markdown.contains("every lost route back after \(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) ms"),
                      "the dynamic protocol's reroute time")
        for section in ["## Qualitative trimming against priority classes", "## Gateway translation against native IPv6",
                        "## Control plane: the dynamic protocol against the oracle"] {
            XCTAssertTrue(markdown.contains(section + "\n"), section)
        }
        XCTAssertEqual(markdown.components(separatedBy: "- Where New IP does not win: ").count - 1, 3, "each new baseline says where New IP does not win")
        let depthCSV = try text("report/queue-depth-bottleneck.csv")
        XCTAssertTrue(depthCSV.hasPrefix("variant,link,time_ns,packets,bytes\n"))
        // The first field, unquoted ("LBF, no early drop" is quoted for its comma).
        let depthVariants = depthCSV.split(separator: "\n").dropFirst().map { line in
            line.hasPrefix("\"") ? String(line.dropFirst().prefix { $0 != "\"" }) : String(line.prefix { $0 != "," })
        }
        XCTAssertEqual(Set(depthVariants),
                       ["FIFO", "strict priority", "LBF", "LBF, no early drop"])

        // README.md's headline block is what this run computed, and names its numbers.
        let readme = try String(contentsOf: NipRunner.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let headline = try text("report/headline.md")
        XCTAssertTrue(readme.contains("<!-- claims:begin (generated by `nip claims --readme README.md`; do not edit) -->\n"
                                      + headline + "<!-- claims:end -->"),
                      "README.md's headline numbers are stale: run `swift run -c release nip claims --readme README.md`")
        XCTAssertTrue(headline.contains("in its window LBF \(tenths / 10).\(tenths % 10) %"), headline)

        // Rerun: nip wrote the folder, so it is replaced, with identical bytes.
        let before = try Self.plots.map { try contents("report/\($0)") } + [try contents("report/report.html")]
        XCTAssertEqual(try claims(["--out", "report"]).status, 0)
        XCTAssertEqual(try Self.plots.map { try contents("report/\($0)") } + [try contents("report/report.html")], before)
        XCTAssertEqual(try entries(), ["report"], "no staging folder left beside it")
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
        try Data("# Notes\n".utf8).write(to: scratch.appendingPathComponent("notes.md"))
        let unmarked = try claims(["--readme", "notes.md"])
        XCTAssertEqual(unmarked.standardError, "Error: --readme notes.md: no headline block; add the lines "
                       + "`<!-- claims:begin (generated by `nip claims --readme README.md`; do not edit) -->` and `<!-- claims:end -->` "
                       + "where the numbers belong\n")
        XCTAssertEqual(try text("notes.md"), "# Notes\n")
        try FileManager.default.removeItem(at: scratch.appendingPathComponent("notes.md"))
        XCTAssertEqual(try entries(), ["mine"])
        let forced = try claims(["--out", "mine", "--force"])
        XCTAssertEqual(forced.status, 0, forced.standardError)
        XCTAssertEqual(try entries("mine"), (Self.files + Self.plots).sorted())
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
        let page = try Self.sharedReport.get().appendingPathComponent("report.html").absoluteString
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

    /// The rows of the first table whose header row holds `header`, as cell texts (tags removed).
    static func tableRows(_ html: String, header: String) -> [[String]] {
        guard let start = html.range(of: header), let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex),
              let body = html.range(of: "<tbody>", range: start.upperBound..<end.lowerBound) else { return [] }
        return html[body.upperBound..<end.lowerBound].components(separatedBy: "<tr>").dropFirst().map { row in
            row.components(separatedBy: "<td").dropFirst().map { cell in
                let inner = cell.drop { $0 != ">" }.dropFirst()
                return String(inner[..<(inner.range(of: "</td>")?.lowerBound ?? inner.endIndex)])
                    .replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
            }
        }
    }

    /// A click on a column header sorts its table in the browser, numbers as numbers: the
    /// page's own script runs on a copy of report.html that clicks the baselines' "p99 ms"
    /// header once (ascending) and "queues" twice (descending, as text).
    func testClickingAHeaderSortsTheTableInChromium() throws {
        let browser = try chromium()
        let html = String(decoding: try Data(contentsOf: try Self.sharedReport.get().appendingPathComponent("report.html")), as: UTF8.self)
        let header = "<th class=\"number\">on time (window)</th>"
        let original = Self.tableRows(html, header: header)
        XCTAssertGreaterThan(original.count, 4)
        let clicks = """
            <script>
            var headers = Array.prototype.filter.call(document.querySelectorAll("thead th"), function (th) {
              return th.parentNode.textContent.indexOf("on time (window)") >= 0;
            });
            function header(name) { return headers.filter(function (th) { return th.textContent === name; })[0]; }
            header("p99 ms").click();
            </script>
            """
        let descending = clicks.replacingOccurrences(of: "header(\"p99 ms\").click();", with: "header(\"queues\").click(); header(\"queues\").click();")
        func sorted(_ script: String, _ name: String) throws -> (rows: [[String]], dom: String) {
            let page = scratch.appendingPathComponent("\(name).html")
            try Data(html.replacingOccurrences(of: "</body>", with: script + "\n</body>").utf8).write(to: page)
            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--proxy-server=127.0.0.1:9",
                         "--user-data-dir=\(scratch.appendingPathComponent("profile").path)", "--dump-dom", page.absoluteString]
            let dom = try NipRunner.run(program: browser, flags)
            XCTAssertEqual(dom.status, 0, dom.standardError)
            return (Self.tableRows(dom.standardOutput, header: header), dom.standardOutput)
        }

        let byP99 = try sorted(clicks, "by-p99")
        let p99 = byP99.rows.map { Double($0[9]) ?? .infinity }
        XCTAssertEqual(byP99.rows.count, original.count)
        XCTAssertEqual(p99, p99.sorted(), "ascending by p99, as numbers")
        XCTAssertNotEqual(byP99.rows.map { $0[9] }, byP99.rows.map { $0[9] }.sorted(), "as text the order would differ (10.56 before 7.61)")
        XCTAssertNotEqual(byP99.rows, original, "the click changed the order")
        XCTAssertEqual(Set(byP99.rows.map { $0.joined(separator: "|") }), Set(original.map { $0.joined(separator: "|") }), "the same rows")
        XCTAssertTrue(byP99.dom.contains("aria-sort=\"ascending\">p99 ms</th>"), "the header shows the order")
        // Ties keep their order: the two LBF variants' surgery-lbf rows have the same p99.
        let lowest = byP99.rows.prefix(3).map { "\($0[0]) / \($0[1])" }
        XCTAssertEqual(lowest, ["strict priority / surgery-lbf", "LBF / surgery-lbf", "LBF, no early drop / surgery-lbf"])

        let byName = try sorted(descending, "by-queues")
        XCTAssertEqual(byName.rows.map { $0[0] }, original.map { $0[0] }.sorted(by: >), "descending by queue name, as text")
        XCTAssertTrue(byName.dom.contains("aria-sort=\"descending\">queues</th>"))
    }
}
