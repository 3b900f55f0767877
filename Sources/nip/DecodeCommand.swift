import ArgumentParser
import Foundation
import NewIPCapture
import NewIPDecode
import NewIPFiles
import NewIPRuntime
import NewIPWire

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode New IP packets from pcap/pcapng captures or hex lines.",
        discussion: """
        Captures: Ethernet frames are dispatched by EtherType (0xEADD compact, 0x88B6 framework); the raw \
        New IP link types 147 (compact) and 148 (framework) carry bare headers. With --hex, each non-empty \
        line of FILE (or standard input for -) is one bare header with its payload, in the --dialect given. \
        A header that does not decode gives a record saying why; a line that is not hex is an error \
        (FILE:LINE:COLUMN on standard error, exit status 1) after the other lines are decoded.
        """)

    @Argument(help: "Capture files (pcap or pcapng) or, with --hex, files of hex lines; - reads standard input.")
    var files: [String]

    @Flag(help: "Read one hex string per line instead of captures.")
    var hex = false

    @Option(help: "Dialect of bare headers: compact or framework (default compact).")
    var dialect: DialectArgument = .compact

    @Flag(help: "One JSON object per packet, with the field names of the shared vectors.")
    var json = false

    mutating func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file (or - with --hex)") }
    }

    func run() throws {
        var index = 0
        var damaged: [String] = []
        for file in files {
            let (input, damage) = try packets(in: file)
            if let damage { damaged.append(damage) }
            for packet in input {
                let decoded: DecodedPacket
                switch packet {
                case .bare(let bytes, let dialect): decoded = PacketDecoder.decode(header: bytes, dialect: dialect, index: index)
                case .ethernet(let bytes): decoded = PacketDecoder.decode(ethernetFrame: bytes, index: index)
                case .unreadable(let reason): decoded = DecodedPacket(index: index, etherType: nil, outcome: .notNewIP(reason: reason, offset: 0))
                }
                print(json ? decoded.json.serialized : decoded.line)
                index += 1
            }
        }
        // Packets before the damage were printed; the damage itself makes the run fail.
        if !damaged.isEmpty { throw ToolError(damaged.joined(separator: "\n")) }
    }

    enum InputPacket {
        case bare([UInt8], PacketDialect)
        case ethernet([UInt8])
        case unreadable(String)
    }

    /// The packets of `file`, and a description of the damage when the capture stops short
    /// or hex lines are not hex.
    func packets(in file: String) throws -> ([InputPacket], String?) {
        let contents: Data
        if file == "-" {
            contents = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            contents = Data(try InputFile.bytes(file))
        }
        if hex {
            var packets: [InputPacket] = []
            var problems: [String] = []
            let lines = String(decoding: contents, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                switch HexLine(line) {
                case .blank: continue
                case .bytes(let bytes): packets.append(.bare(bytes, dialect.value))
                case .problem(let column, let problem): problems.append("\(file):\(number + 1):\(column): \(problem)")
                }
            }
            return (packets, problems.isEmpty ? nil : problems.joined(separator: "\n"))
        }
        var iterator: CaptureReader
        do {
            iterator = try CaptureReader([UInt8](contents))
        } catch {
            throw ToolError("\(file): \(error)")
        }
        var packets: [InputPacket] = []
        while true {
            do {
                guard let packet = try iterator.next() else { break }
                switch packet.linkType {
                case .ethernet: packets.append(.ethernet(packet.data))
                case .newIP: packets.append(.bare(packet.data, .compact))
                case .newIPFramework: packets.append(.bare(packet.data, .framework))
                default: packets.append(.unreadable("link type \(packet.linkType) carries no New IP"))
                }
            } catch {
                return (packets, "\(file): \(error)")
            }
        }
        return (packets, nil)
    }
}

/// One line of `--hex` input: blank or a comment, bytes, or where it stops being hex.
enum HexLine: Equatable {
    case blank
    case bytes([UInt8])
    /// `column` is 1-based, in characters of the line as written.
    case problem(column: Int, String)

    init(_ line: Substring) {
        let leading = line.prefix { $0.isWhitespace }.count
        let content = line.dropFirst(leading).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !content.isEmpty, !content.hasPrefix("#") else {
            self = .blank
            return
        }
        let skipped = content.hasPrefix("0x") ? 2 : 0
        let digits = content.dropFirst(skipped)
        if let bad = digits.firstIndex(where: { !$0.isHexDigit }) {
            let column = leading + skipped + digits.distance(from: digits.startIndex, to: bad) + 1
            self = .problem(column: column, "`\(digits[bad])` is not a hex digit")
        } else if let bytes = parseHexBytes(digits) {
            self = .bytes(bytes)
        } else {
            self = .problem(column: leading + skipped + digits.count, "odd number of hex digits (\(digits.count)): a byte is two digits")
        }
    }
}

enum DialectArgument: String, ExpressibleByArgument, CaseIterable {
    case compact, framework
    var value: PacketDialect { self == .compact ? .compact : .framework }
}
