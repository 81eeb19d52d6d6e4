package dev.icetune.engine.rules;

import java.util.List;

/** The rules directory cannot be used: one line per problem, each naming its file (and line, for DRL). */
public final class RuleBookException
        extends RuntimeException
{
    private final List<String> problems;

    public RuleBookException(List<String> problems)
    {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems()
    {
        return problems;
    }
}
