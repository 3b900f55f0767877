import Foundation
@testable import NewIPTopology
import XCTest
import Yams

/// The readers' document, built from libyaml's events, holds what Yams's node tree held
/// (texts, places, aliases) and refuses what Yams refused, at the same places.
final class YAMLDocumentTests: XCTestCase {
    func testTextsPlacesAndAliasesAsWritten() throws {
        let yaml = "a: &x {b: \"1\", c: [d, 'e f']}\ng: *x\n"
        guard case .mapping(let root) = try XCTUnwrap(YAMLDocument.root(of: yaml)) else { return XCTFail("not a mapping") }
        XCTAssertEqual(root.map { $0.key.scalar?.string }, ["a", "g"])
        XCTAssertEqual(root.map(\.key.mark), [YAMLMark(line: 1, column: 1), YAMLMark(line: 2, column: 1)])
        guard case .mapping(let a) = root[0].value, case .mapping(let g) = root[1].value else { return XCTFail("not mappings") }
        // The alias is the anchored mapping itself, where it was written.
        for value in [a, g] {
            XCTAssertEqual(value.mark, YAMLMark(line: 1, column: 4))
            XCTAssertEqual(value.map { $0.key.scalar?.string }, ["b", "c"])
            XCTAssertEqual(value[0].value.scalar?.string, "1")
            guard case .sequence(let c) = value[1].value else { return XCTFail("c is not a list") }
            XCTAssertEqual(c.map { $0.scalar?.string }, ["d", "e f"])
            XCTAssertEqual(c.map(\.mark.column), [20, 23])
        }
    }

    func testAnEmptyTextHasNoRoot() throws {
        XCTAssertNil(try YAMLDocument.root(of: ""))
        XCTAssertNil(try YAMLDocument.root(of: "# only a comment\n"))
    }

    /// Every example topology reads to the tree Yams composed: same kinds, texts and places.
    func testExamplesReadAsYamsComposedThem() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let yaml = try String(contentsOf: examples.appendingPathComponent(file), encoding: .utf8)
            let ours = try XCTUnwrap(YAMLDocument.root(of: yaml)), yams = try XCTUnwrap(Yams.compose(yaml: yaml, .basic))
            XCTAssertEqual(outline(ours), outline(yams), file)
        }
    }

    /// Broken files are refused with Yams's problem and place.
    func testSyntaxErrorsAtTheirPlaces() {
        let broken = [
            "a: [1, 2\nb: 3\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 'open\n",
            "a: *nowhere\n",
            "a: 1\n---\nb: 2\n",
            "a:\n\tb: 1\n",
            // A collection's anchor names it once it is closed: inside, an alias to it is undefined.
            "a: &x [1, *x]\n",
            "a: &m {b: [*m]}\n",
        ]
        for yaml in broken {
            var ours: String?, theirs: String?
            do { _ = try YAMLDocument.root(of: yaml) } catch {
                if case .syntax(let problem, let mark) = error { ours = "\(mark.line):\(mark.column) \(problem)" }
            }
            do { _ = try Yams.compose(yaml: yaml, .basic) } catch {
                switch error as? YamlError {
                case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                    theirs = "\(mark.line):\(mark.column) \(problem)"
                default: break
                }
            }
            XCTAssertNotNil(ours, yaml)
            XCTAssertEqual(ours, theirs, yaml)
        }
    }

    /// A repeated key is named as Yams named it: the first in text order, where it first appears.
    func testRepeatedKeysAsYamsReportedThem() {
        XCTAssertThrowsError(try YAMLDocument.root(of: "x: 1\nb: 2\na: 3\nb: 4\na: 5\n")) { error in
            guard case .duplicateKey(let key, let first, let again) = error as? YAMLSyntaxError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "a")
            XCTAssertEqual(first, YAMLMark(line: 3, column: 1))
            XCTAssertEqual(again, YAMLMark(line: 5, column: 1))
        }
        XCTAssertThrowsError(try Yams.compose(yaml: "x: 1\nb: 2\na: 3\nb: 4\na: 5\n", .basic)) { error in
            guard case .duplicatedKeysInMapping(let duplicates, let context) = error as? YamlError else { return XCTFail("\(error)") }
            XCTAssertEqual(duplicates.first, "a")
            XCTAssertEqual(context.mark.line, 3)
        }
    }

    /// A mapping of many keys (a topology's nodes) is checked through a set: the same report.
    func testRepeatedKeyInALargeMapping() {
        let yaml = (0..<20).map { "k\($0): \($0)\n" }.joined() + "k7: again\n"
        XCTAssertThrowsError(try YAMLDocument.root(of: yaml)) { error in
            guard case .duplicateKey(let key, let first, let again) = error as? YAMLSyntaxError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "k7")
            XCTAssertEqual(first, YAMLMark(line: 8, column: 1))
            XCTAssertEqual(again, YAMLMark(line: 21, column: 1))
        }
    }

    private func outline(_ node: YAMLNode) -> [String] {
        let place = "\(node.mark.line):\(node.mark.column)"
        switch node {
        case .scalar(let scalar): return ["\(place) \(scalar.string)"]
        case .sequence(let items): return ["\(place) ["] + items.flatMap(outline) + ["]"]
        case .mapping(let pairs): return ["\(place) {"] + pairs.flatMap { outline($0.key) + outline($0.value) } + ["}"]
        }
    }

    private func outline(_ node: Yams.Node) -> [String] {
        let place = "\(node.mark?.line ?? 0):\(node.mark?.column ?? 0)"
        switch node {
        case .scalar(let scalar): return ["\(place) \(scalar.string)"]
        case .sequence(let items): return ["\(place) ["] + items.flatMap(outline) + ["]"]
        case .mapping(let pairs): return ["\(place) {"] + pairs.flatMap { outline($0.key) + outline($0.value) } + ["}"]
        case .alias: return ["alias"]
        }
    }
}
