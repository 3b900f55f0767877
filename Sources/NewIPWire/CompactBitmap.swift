/// Bit layout of the compact header's bitmap bytes (OpenHarmony `nip_hdr.h`).
///
/// Bits are numbered from the most significant; the last bit of every bitmap byte says
/// whether another bitmap byte follows. Fields appear in the header in bit order.
public enum CompactBitmap {
    /// First byte, bit 0: must be clear; a set bit marks the header invalid.
    public static let invalid: UInt8 = 0x80
    public static let ttl: UInt8 = 0x40
    public static let totalLength: UInt8 = 0x20
    public static let nextHeader: UInt8 = 0x10
    /// First byte, bit 4: reserved by the reference (no field).
    public static let reserved1: UInt8 = 0x08
    public static let destination: UInt8 = 0x04
    public static let source: UInt8 = 0x02
    /// Last bit of every bitmap byte: another bitmap byte follows.
    public static let more: UInt8 = 0x01

    /// Second byte, bit 0: a one-byte header-length field follows the fixed fields.
    public static let headerLength: UInt8 = 0x80
    /// Second byte, bit 1 (reserved by the reference): this project's extension area
    /// (contract clauses, payload spec) sits between the fixed fields and the header length.
    /// Reference decoders treat it as an unknown bit and skip to the header length.
    public static let extensions: UInt8 = 0x40
    /// Second-byte bits the reference does not know; any of them requires `headerLength`.
    public static let unknownInSecond: UInt8 = 0x7F

    /// The reference reads at most this many bitmap bytes.
    public static let maxBytes = 8
}
