// libFuzzer target: the transparency log's decoders of untrusted input, which a client or a
// witness reads from a log it does not trust (docs/log.md).
//
// A module of its own importing NewIPLog (see Fuzz/run.sh), using only the public API.
//
// Each input is fed to every decoder. Checks:
// - signed notes (`Note(parsing:)`): a refusal is a `LogError.malformed` naming the source; an
//   accepted note has a body ending in a newline and 1...100 signatures, and its serialization
//   parses back equal; its body, when it parses as a `Checkpoint`, serializes and parses back
//   equal; opening it as a `SignedCheckpoint` under a fixed key refuses it (no forged signature);
// - tile names (`Tiles.Name(path:)`): an accepted name prints back as the input;
// - hash tiles and entry bundles: a tile of the input's length decodes to that many hashes that
//   encode back to the input; a bundle that decodes re-encodes to the input byte for byte;
// - proofs (`InclusionProof`, `ConsistencyProof` text): accepted proofs print and parse back
//   equal, and verifying them (against a leaf taken from the input) returns without trapping.

import Foundation
import NewIPLog

nonisolated(unsafe) var logFuzzSink = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func transparencyLogFuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: bytes, count: size)
    fuzzNote(data)
    fuzzTiles(data)
    fuzzProofs(data)
    return 0
}

func expectMalformed(_ error: Error, _ source: String) {
    guard case .malformed(let place, let why)? = error as? LogError, place == source || place.contains("verifier") else {
        preconditionFailure("unexpected refusal \(error)")
    }
    logFuzzSink &+= why.utf8.count
}

func fuzzNote(_ data: Data) {
    let note: Note
    do { note = try Note(parsing: data, source: "fuzz") } catch { return expectMalformed(error, "fuzz") }
    precondition(note.text.hasSuffix("\n") && (1...100).contains(note.signatures.count))
    guard let again = try? Note(parsing: Data(note.serialized.utf8), source: "again") else { preconditionFailure("serialized note does not parse") }
    precondition(again == note, "note round trip changed it")
    if let checkpoint = try? Checkpoint(body: note.text, source: "fuzz") {
        precondition(checkpoint.size >= 0)
        precondition((try? Checkpoint(body: checkpoint.body, source: "again")) == checkpoint, "checkpoint round trip changed it")
    }
    // Made per input, not as a global: a lazily built global reads as a leak to LeakSanitizer.
    let key = try! NoteVerifier(parsing: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    do {
        _ = try SignedCheckpoint(data, source: "fuzz", log: key)
        preconditionFailure("a fuzzed checkpoint verified")
    } catch let error as LogError {
        logFuzzSink &+= error.description.utf8.count
    } catch {
        preconditionFailure("unexpected refusal \(error)")
    }
}

func fuzzTiles(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    if let name = Tiles.Name(path: text) {
        precondition(name.path == text, "tile name \(text) prints as \(name.path)")
        precondition((1...Tiles.width).contains(name.width) && name.index >= 0)
    }
    if data.count % LogHash.byteCount == 0, let hashes = try? Tiles.decodeHashes(data, expected: data.count / LogHash.byteCount, source: "fuzz") {
        precondition(Tiles.encodeHashes(hashes) == data, "hash tile round trip")
    }
    for expected in [0, 1, Int(data.first ?? 0)] {
        do {
            let entries = try Tiles.decodeBundle(data, expected: expected, source: "fuzz")
            precondition(entries.count == expected && Tiles.encodeBundle(entries) == data, "bundle round trip")
        } catch {
            expectMalformed(error, "fuzz")
        }
    }
}

func fuzzProofs(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let leaf = LogHash.leaf(data.prefix(8))
    do {
        let proof = try InclusionProof(parsing: text, source: "fuzz")
        precondition((try? InclusionProof(parsing: proof.text, source: "again")) == proof, "inclusion proof round trip")
        logFuzzSink &+= proof.verify(leaf: leaf) ? 1 : 0
    } catch {
        expectMalformed(error, "fuzz")
    }
    do {
        let proof = try ConsistencyProof(parsing: text, source: "fuzz")
        precondition((try? ConsistencyProof(parsing: proof.text, source: "again")) == proof, "consistency proof round trip")
        logFuzzSink &+= proof.verify() ? 1 : 0
    } catch {
        expectMalformed(error, "fuzz")
    }
}
