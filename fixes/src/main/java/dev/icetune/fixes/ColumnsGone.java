package dev.icetune.fixes;

/**
 * A layout change names a column its table no longer has: renamed or dropped since its rule fired. The fix, as approved, can never
 * be applied; the recommendation goes back to open, for the next evaluation to propose what holds now.
 */
final class ColumnsGone
        extends IllegalStateException
{
    ColumnsGone(String message)
    {
        super(message);
    }
}
