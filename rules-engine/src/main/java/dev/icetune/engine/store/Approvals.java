package dev.icetune.engine.store;

import dev.icetune.engine.model.Level;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Who may approve, and which recommendations approve themselves. A person approves; the engine never
 * does, unless the configuration names a rule, level and target pattern for auto-approval (off by default).
 */
public record Approvals(Set<String> approvers, List<AutoApproval> autoApprovals)
{
    /** {@code rule/level/target-glob}, e.g. {@code small-files/L1/iceberg.demo.*}. */
    public record AutoApproval(String rule, Level level, String targetGlob)
    {
        public boolean matches(String ruleId, Level recommendationLevel, String target)
        {
            return rule.equals(ruleId) && level == recommendationLevel && glob(targetGlob).matcher(target).matches();
        }

        @Override
        public String toString()
        {
            return rule + "/" + level + "/" + targetGlob;
        }

        private static Pattern glob(String glob)
        {
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                regex.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
            }
            return Pattern.compile(regex.toString());
        }
    }

    public static final Approvals NONE = new Approvals(Set.of(), List.of());

    public Approvals
    {
        approvers = Set.copyOf(approvers);
        autoApprovals = List.copyOf(autoApprovals);
    }

    /** Parses {@code icetune.approvers} (comma-separated names) and {@code icetune.auto-approve} (comma-separated rule/level/glob). */
    public static Approvals parse(String approvers, String autoApprove)
    {
        requireNonNull(approvers, "approvers is null");
        requireNonNull(autoApprove, "autoApprove is null");
        List<AutoApproval> auto = new ArrayList<>();
        for (String entry : autoApprove.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.strip().split("/", 3);
            if (parts.length != 3 || parts[0].isBlank() || !parts[1].toUpperCase(Locale.ROOT).matches("L[1-4]") || parts[2].isBlank()) {
                throw new IllegalArgumentException("invalid icetune.auto-approve entry '" + entry.strip() + "', expected rule/level/target-glob such as small-files/L1/iceberg.demo.*");
            }
            auto.add(new AutoApproval(parts[0], Level.valueOf(parts[1].toUpperCase(Locale.ROOT)), parts[2]));
        }
        return new Approvals(
                Set.of(approvers.split(",")).stream().map(String::strip).filter(name -> !name.isEmpty()).collect(java.util.stream.Collectors.toSet()),
                auto);
    }

    /** Only identities in icetune.approvers approve, reject or reopen: fails, saying so, for anyone else. */
    public void checkMayDecide(String actor)
    {
        if (!approvers.contains(actor)) {
            throw new IllegalArgumentException("'%s' may not approve, reject or reopen: %s".formatted(actor,
                    approvers.isEmpty() ? "icetune.approvers names nobody yet (the identities who decide, comma-separated)" : "not listed in icetune.approvers"));
        }
    }
}
