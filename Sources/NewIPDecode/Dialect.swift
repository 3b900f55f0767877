/// The two New IP wire formats.
public enum Dialect: String, Sendable, CaseIterable {
    /// OpenHarmony's compact header (EtherType 0xEADD).
    case compact
    /// Network 2030's shipping / contract / payload framework (EtherType 0x88B6).
    case framework
}
