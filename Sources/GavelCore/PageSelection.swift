import Foundation

extension PageRequest {
    /// This page of `elements` in the order `areInIncreasingOrder` gives (a strict total
    /// order), and how many elements there are.
    ///
    /// Only the best `offset + size` elements seen so far are kept: the buffer is sorted and cut
    /// back whenever it doubles, and an element that cannot beat the last one kept is only
    /// counted. So the first pages of a large catalog cost one pass and a few short sorts
    /// instead of a sort of everything; a deep page keeps (and sorts) about as much as a full
    /// sort would.
    @inlinable
    public func select<Element>(
        from elements: some Sequence<Element>, by areInIncreasingOrder: (Element, Element) -> Bool
    ) -> (items: [Element], total: Int) {
        // No page can be further than every element an array can hold.
        let keep = offset > Int.max / 4 - size ? Int.max / 4 : offset + size
        var total = 0
        var kept: [Element] = []
        var worstKept: Element?
        for element in elements {
            total += 1
            if let worstKept, !areInIncreasingOrder(element, worstKept) { continue }
            kept.append(element)
            if kept.count >= 2 * keep {
                kept.sort(by: areInIncreasingOrder)
                kept.removeLast(kept.count - keep)
                worstKept = kept.last
            }
        }
        guard offset < kept.count else { return ([], total) }
        kept.sort(by: areInIncreasingOrder)
        return (Array(kept[offset..<min(kept.count, keep)]), total)
    }

    /// This page of `elements`, which are already in list order, and how many there are.
    @inlinable
    public func slice<Element>(of elements: some Sequence<Element>) -> (items: [Element], total: Int) {
        var total = 0
        var page: [Element] = []
        for element in elements {
            if total >= offset && page.count < size { page.append(element) }
            total += 1
        }
        return (page, total)
    }
}

extension UUID {
    /// Whether this id sorts after `other` in the order of their canonical (lower-case) text,
    /// which is the order of their bytes: the tie-break of every list order, compared without
    /// rendering either id.
    public func sortsAfter(_ other: UUID) -> Bool {
        let (high, low) = orderKey
        let (otherHigh, otherLow) = other.orderKey
        return high != otherHigh ? high > otherHigh : low > otherLow
    }

    /// The 16 bytes as two big-endian integers.
    private var orderKey: (UInt64, UInt64) {
        withUnsafeBytes(of: uuid) { raw in
            (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
