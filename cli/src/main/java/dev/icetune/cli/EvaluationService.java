package dev.icetune.cli;

import dev.icetune.engine.Evaluator;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.iceberg.TableFactSource;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.fixes.EffectMeasurer;
import dev.icetune.store.EvaluationLease;
import dev.icetune.store.Failures;
import dev.icetune.store.SchemaMigrator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Evaluations, once or as a service: the rules over the window's evidence, then the measured effect of applied
 * fixes. As a service it never gives up on a transient failure: PostgreSQL, Trino or the Iceberg catalog going
 * away fails that evaluation (reported, counted in {@code icetune.evaluation.failures}) and the next interval
 * tries again; {@code icetune.evaluation.last.success.time} tells an alert how long ago one last worked.
 */
public final class EvaluationService
{
    /** One evaluation's outcome: what the rules concluded, and the fixes whose effect was measured in it. */
    public record Round(Evaluator.Result result, List<EffectMeasurer.Effect> effects) {}

    private final Context context;
    private final Optional<String> cluster;
    private final Evaluator evaluator;
    private final Counter failures;
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final AtomicLong standingBy = new AtomicLong();

    /** Evaluations of the evidence of {@code cluster} alone, or of every cluster. */
    public EvaluationService(Context context, Optional<String> cluster, MeterRegistry meters, Consumer<String> problems)
    {
        this.context = requireNonNull(context, "context is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        RuleBookHolder rules = context.rules(problems);
        // each catalog is opened at the first evaluation that reads it, and again after it failed
        Optional<TableFactSource> tables = context.iceberg().map(TableFactSource.class::cast);
        this.evaluator = new Evaluator(context.jdbi(), rules, tables, context.settings().engine().getWindow().toJavaTime(),
                context.settings().engine().getBaseline().toJavaTime(), context.settings().engine().getResolveAfter(), context.store(), meters);
        this.failures = Counter.builder("icetune.evaluation.failures").description("evaluations that failed (database or Trino unavailable, ...)").register(meters);
        Gauge.builder("icetune.evaluation.last.success.time", lastSuccessEpochSeconds, AtomicLong::get).baseUnit("seconds")
                .description("when the last evaluation succeeded, in seconds since the epoch (0: none yet); of a service standing by, the last of the one evaluating")
                .register(meters);
        Gauge.builder("icetune.evaluation.standby", standingBy, AtomicLong::get)
                .description("1 while another service evaluates this database (this one takes over once it stops), 0 while this one does").register(meters);
    }

    public Round evaluateOnce(Instant now, Consumer<String> progress)
    {
        Evaluator.Result result = evaluator.evaluate(now, cluster, progress);
        Thresholds thresholds = evaluator.thresholds();
        List<EffectMeasurer.Effect> effects = context.effectMeasurer(thresholds).measure(now, context.settings().engine().getBaseline().toJavaTime());
        effects.forEach(effect -> progress.accept("fix %s %s%s".formatted(effect.recommendationIds().stream().map(id -> "#" + id).collect(Collectors.joining(", ")),
                String.valueOf(effect.figures().get("verdict")).replace('_', ' '),
                // what the verdict is on, then the files and bytes a person knows a scan by
                effect.figures().containsKey("scope") ? " on %s: %s (files per query %s -> %s, bytes %s -> %s)".formatted(effect.figures().get("scope"),
                        String.join(", ", effect.changes()), TextTable.text(effect.figures().get("files_per_query_before")),
                        TextTable.text(effect.figures().get("files_per_query_after")), bytes(effect.figures().get("bytes_per_query_before")),
                        bytes(effect.figures().get("bytes_per_query_after"))) : "")));
        lastSuccessEpochSeconds.set(Instant.now().getEpochSecond());
        return new Round(result, effects);
    }

    private static String bytes(Object figure)
    {
        return figure instanceof Number number ? Estimate.bytes(number.doubleValue()) : String.valueOf(figure);
    }

    /**
     * Evaluates every {@code interval} until the thread is interrupted; a failed evaluation is reported and retried at the
     * next. Each evaluation runs on a thread of its own, this one only waiting: a stop reaches the service however deep in
     * a library the evaluation is (a driver, Flyway, Drools or Iceberg may turn an interrupt into an exception of their own
     * and clear it), and an evaluation cut short by the stop is not reported as failed. Of several services of one database, the
     * one holding the {@link EvaluationLease} evaluates, the others stand by.
     */
    public void run(Duration interval, Consumer<String> progress, Consumer<Round> done, Consumer<String> problems)
            throws InterruptedException
    {
        String scope = cluster.map(name -> "cluster " + name).orElse("every cluster");
        try (EvaluationLease lease = new EvaluationLease(context.database(), cluster.orElse(""))) {
            while (true) {
                // only the service holding the lease evaluates; one standing by reports the last evaluation of the one that does
                FutureTask<Optional<Round>> evaluation = new FutureTask<>(() -> {
                    if (lease.hold()) {
                        if (standingBy.getAndSet(0) == 1) {
                            progress.accept("the service that evaluated %s has stopped: this one evaluates from now on".formatted(scope));
                        }
                        return Optional.of(evaluateOnce(Instant.now(), progress));
                    }
                    if (standingBy.getAndSet(1) == 0) {
                        progress.accept("another evaluate --service evaluates %s of this database: standing by, to take over once it stops".formatted(scope));
                    }
                    lease.lastEvaluation().ifPresent(last -> lastSuccessEpochSeconds.set(last.getEpochSecond()));
                    return Optional.empty();
                });
                // a platform thread: an evaluation loads classes (Drools compiling the rules, drivers), and a virtual thread stays
                // pinned to its carrier while it waits for a class-loading lock; with a carrier per core, such waits deadlocked
                Thread.ofPlatform().name("icetune-evaluation").daemon(true).start(evaluation);
                try {
                    evaluation.get().ifPresent(done);
                }
                catch (InterruptedException stopped) {
                    evaluation.cancel(true);
                    throw stopped;
                }
                catch (ExecutionException e) {
                    failures.increment();
                    String said = Failures.message(e.getCause());
                    if (SchemaMigrator.isSchemaMissing(e.getCause())) {
                        context.checkSchemaAgain();
                        said += (said.endsWith(".") ? " " : ". ") + "The database lacks icetune's tables (a failover to a server without them, a restored "
                                + "backup?): the next evaluation migrates them again (or, with icetune.db.migrate=false, says to run bin/icetune migrate).";
                    }
                    problems.accept("evaluation failed, trying again in " + interval.toSeconds() + "s: " + said);
                }
                Thread.sleep(interval);
            }
        }
    }
}
