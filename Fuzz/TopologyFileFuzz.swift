// libFuzzer target: topology and node files (docs/topology.md, docs/node.md), which users write
// by hand and `nip` reads through libyaml's events (YAMLDocument) and the builders.
//
// A module of its own importing NewIPTopology, with libyaml (CYaml, from the Yams checkout)
// compiled and instrumented beside it (see Fuzz/run.sh).
//
// Each input, read as UTF-8 text (invalid bytes become U+FFFD, as `YAMLReader.text(ofFile:)`
// would refuse them with a diagnostic of its own), is fed to:
// - `TopologyParser.parse(yaml:file:threads:)`, what `nip emulate`/`run`/`up` call after reading
//   the file, on one thread;
// - `NodeConfig.parse(yaml:file:)`, what `nip node --config` calls.
// Whatever the text, each returns a value or throws a `TopologyError` with at least one
// diagnostic that names the file, a line inside the text (0: the file as a whole), and says what
// is wrong; nothing traps, hangs or reads out of bounds.

import NewIPTopology

nonisolated(unsafe) var topologyFileFuzzSink = 0

/// libyaml's line breaks (`\r\n` counts twice, which only loosens the bound).
private let lineBreaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]

/// Checks a refusal: diagnostics, each naming `file` and a line of `text`, or one of the two
/// after it: libyaml reports the end of the stream on the line after the last, and when the text
/// does not end with a line break it adds one first (so "a: [" is refused at line 2).
private func checkRefusal(_ error: TopologyError, file: String, text: String) {
    precondition(!error.diagnostics.isEmpty, "\(file): refused with no diagnostic")
    let lastLine = text.unicodeScalars.lazy.filter { lineBreaks.contains($0) }.count + 2
    for diagnostic in error.diagnostics {
        precondition(diagnostic.location.file == file, "a diagnostic names \(diagnostic.location.file), not \(file)")
        precondition((0...lastLine).contains(diagnostic.location.line) && diagnostic.location.column >= 0,
                     "\(diagnostic) points outside the text's \(lastLine) lines")
        precondition(!diagnostic.problem.isEmpty, "a diagnostic at \(diagnostic.location) says nothing")
    }
    topologyFileFuzzSink &+= error.description.utf8.count
}

@_cdecl("LLVMFuzzerTestOneInput")
public func topologyFileFuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: bytes, count: size), as: UTF8.self)
    do throws(TopologyError) {
        let topology = try TopologyParser.parse(yaml: text, file: "fuzz.yaml", threads: 1)
        topologyFileFuzzSink &+= topology.nodes.count
    } catch {
        checkRefusal(error, file: "fuzz.yaml", text: text)
    }
    do throws(TopologyError) {
        let node = try NodeConfig.parse(yaml: text, file: "node.yaml")
        topologyFileFuzzSink &+= node.name.utf8.count
    } catch {
        checkRefusal(error, file: "node.yaml", text: text)
    }
    return 0
}
