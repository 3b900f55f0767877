// A Swift 6.3.1 optimizer bug found by the framework-header target (Linux x86_64):
//   swiftc -O -sanitize=address -parse-as-library Fuzz/Repro/DiscardedArrayFromSlice.swift -o /tmp/repro
//   SWIFT_BACKTRACE=enable=no /tmp/repro
// reports a heap-use-after-free WRITE in Slice._copyContents: the array built from the slice is
// released before it is filled, because the decoded value is discarded. Fine with -Onone, when
// the value is used, or when the loop over `views` is replaced by a single value. Not a decoder
// bug; Fuzz/FrameworkHeaderFuzz.swift now uses `clause.value` instead of discarding it.
enum Clause {
    case known(UInt16)
    case unknown(type: UInt16, body: [UInt8])

    init(unchecked buffer: UnsafeRawBufferPointer, at offset: Int, length: Int) {
        let type = UInt16(buffer[offset]) << 8 | UInt16(buffer[offset + 1])
        switch type {
        case 1: self = .known(type)
        default: self = .unknown(type: type, body: Array(buffer[(offset + 2)..<(offset + length)]))
        }
    }
}

struct View {
    let bytes: UnsafeRawBufferPointer
    let range: Range<Int>
    var value: Clause { Clause(unchecked: bytes, at: range.lowerBound, length: range.count) }
}

@inline(never)
func check(_ bytes: UnsafeRawBufferPointer) {
    for v in [View(bytes: bytes, range: 0..<bytes.count)] {
        _ = v.value          // result unused: the array is freed before it is filled
    }
}

@main struct Main {
    static func main() {
        let data: [UInt8] = [0, 9] + Array(repeating: 7, count: 30)
        data.withUnsafeBytes { check($0) }
        print("ok")
    }
}
