// libFuzzer target: the classic pcap / pcapng reader.
//
// A module of its own importing NewIPCapture (see Fuzz/run.sh), using only the public API.
//
// Checks, for every input:
// - `CaptureReader(bytes)` then `next()` until `nil` or a `CaptureError` terminates: every
//   packet consumes at least 12 bytes of the file, so more than `bytes.count / 12 + 1`
//   packets means the reader is looping;
// - after an error or a clean end, `next()` keeps returning `nil`;
// - error offsets lie inside (or just past) the file, packets respect the size limit;
// - `CaptureReader.readAll` returns the same packets (or fails the same way);
// - decode(encode(x)) == x: the packets read (with a timestamp ≥ 0) written again with
//   `PcapngWriter` read back equal (interface indices are renumbered by the writer).

import NewIPCapture

@_cdecl("LLVMFuzzerTestOneInput")
public func captureReaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzCaptureReader(bytes)
    return 0
}

func fuzzCaptureReader(_ bytes: [UInt8]) {
    var reader: CaptureReader
    do throws(CaptureError) {
        reader = try CaptureReader(bytes)
    } catch {
        checkCaptureError(error, size: bytes.count)
        precondition((try? CaptureReader.readAll(bytes)) == nil, "readAll accepted a file the reader refused")
        return
    }
    let format = reader.format
    var packets: [CapturedPacket] = []
    var failure: CaptureError? = nil
    let bound = bytes.count / 12 + 1
    while true {
        do throws(CaptureError) {
            guard let packet = try reader.next() else { break }
            packets.append(packet)
            precondition(packets.count <= bound, "reader returned \(packets.count) packets from \(bytes.count) bytes: it loops")
            precondition(packet.data.count <= CaptureReader.maximumCapturedLength && packet.data.count <= bytes.count,
                         "packet of \(packet.data.count) bytes from a \(bytes.count)-byte file")
            precondition(packet.originalLength >= 0 && packet.interfaceIndex >= 0)
            if format == .pcap { precondition(packet.interfaceIndex == 0) }
        } catch {
            checkCaptureError(error, size: bytes.count)
            failure = error
            break
        }
    }
    // Finished is final.
    for _ in 0..<2 {
        guard let after = try? reader.next() else { continue }
        preconditionFailure("next() returned a packet (\(after.data.count) bytes) after the reader finished")
    }

    // readAll agrees.
    do throws(CaptureError) {
        let all = try CaptureReader.readAll(bytes)
        precondition(failure == nil, "readAll succeeded where next() failed with \(failure!)")
        precondition(all == packets, "readAll returned different packets")
    } catch {
        precondition(failure == error, "readAll failed with \(error), next() with \(String(describing: failure))")
    }

    // Write what was read as pcapng and read it back.
    var writer = PcapngWriter(snapshotLength: UInt32(CaptureReader.maximumCapturedLength))
    var written: [CapturedPacket] = []
    for packet in packets where packet.timestampNanoseconds >= 0 && packet.linkType.rawValue <= 0xFFFF {
        do throws(CaptureError) {
            try writer.append(packet)
        } catch {
            preconditionFailure("PcapngWriter refused a packet it should hold: \(error)")
        }
        written.append(packet)
    }
    let reread: [CapturedPacket]
    do throws(CaptureError) {
        reread = try CaptureReader.readAll(writer.bytes)
    } catch {
        preconditionFailure("PcapngWriter output does not read back: \(error)")
    }
    precondition(reread.count == written.count, "wrote \(written.count) packets, read back \(reread.count)")
    for (a, b) in zip(written, reread) {
        precondition(a.data == b.data && a.originalLength == b.originalLength
                     && a.timestampNanoseconds == b.timestampNanoseconds && a.linkType == b.linkType,
                     "pcapng round trip changed a packet")
    }
}

func checkCaptureError(_ error: CaptureError, size: Int) {
    precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside a \(size)-byte file: \(error)")
    if let index = error.packetIndex { precondition(index >= 0) }
    precondition(!error.description.isEmpty)
}
