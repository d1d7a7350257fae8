package io.rlstream.reward.verify;

/**
 * Brace matching for LaTeX, by a single left-to-right scan (no regular expressions, so no
 * backtracking): nested groups such as {@code \boxed{\frac{1}{2}}} close at the right brace, and
 * escaped characters ({@code \{}, {@code \}}, {@code \\}) do not count as group delimiters.
 */
final class LatexScan {

    private LatexScan() {
    }

    /**
     * Index of the brace that closes the group opened at {@code open}, or -1 when {@code open} is
     * not a '{' or the group never closes (a truncated or malformed response).
     */
    static int closingBrace(CharSequence s, int open) {
        if (open < 0 || open >= s.length() || s.charAt(open) != '{') {
            return -1;
        }
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++; // the escaped character is content, not structure
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
