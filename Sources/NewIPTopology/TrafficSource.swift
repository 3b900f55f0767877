import Foundation
import NewIPDataPlane
import NewIPRandom

/// When a flow sends and how big each packet is, from the flow's own random stream.
///
/// The pattern runs on "active time", the time spent in on-periods: a constant or Poisson
/// source advances it by each gap, and an on-off flow maps it onto the wall clock by
/// skipping the off-periods. Rates in bits per second count each packet's own size, so the
/// bit rate holds exactly even when sizes vary. Both drivers use it: the emulator in virtual
/// time, `nip run` on the wall clock.
package struct TrafficSource {
    package let flow: Topology.Flow
    private var random: RandomStream
    /// The next packet's number.
    package private(set) var sequence: UInt32 = 0
    /// Nanoseconds of active time before the next packet.
    private var activeTime: Double = 0

    package init(flow: Topology.Flow, seed: UInt64) {
        self.flow = flow
        random = RandomStream(seed: seed, name: "flow/\(flow.name)")
    }

    /// When the next packet leaves, or `nil` once the flow has stopped.
    package var nextSendTime: Nanoseconds? {
        let time = flow.start + wallOffset(activeTime)
        return time < flow.stop ? time : nil
    }

    package mutating func nextSize() -> Int {
        switch flow.size {
        case .fixed(let size): size
        case .uniform(let range): random.nextInt(in: range)
        }
    }

    /// Moves past the packet just sent (`size` bytes) to the next one.
    package mutating func advance(sent size: Int) {
        sequence &+= 1
        switch flow.pattern {
        case .constant(let rate), .onOff(let rate, _, _):
            activeTime += gap(rate, bytes: Double(size))
        case .poisson(let rate):
            // Inverse transform: 1 − u lies in (0, 1], so the logarithm is finite.
            activeTime += -log(1 - random.nextUnit()) * gap(rate, bytes: flow.size.mean)
        }
    }

    private func gap(_ rate: TrafficRate, bytes: Double) -> Double {
        switch rate {
        case .packetsPerSecond(let packets): 1e9 / packets
        case .bitsPerSecond(let bits): bytes * 8e9 / Double(bits)
        }
    }

    /// Wall-clock offset from the flow's start of an instant of active time.
    private func wallOffset(_ active: Double) -> Nanoseconds {
        var offset = active
        if case .onOff(_, let on, let off) = flow.pattern {
            let periods = (active / Double(on)).rounded(.down)
            offset = periods * Double(on + off) + (active - periods * Double(on))
        }
        // Past any run's end (a vanishing rate), without overflowing the conversion.
        return Nanoseconds(min(offset, 0x1p62).rounded())
    }
}
