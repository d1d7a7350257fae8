package io.rlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.bench.ObjectiveBenchmark.Run;
import io.rlstream.bench.ObjectiveBenchmark.Settings;
import io.rlstream.bench.ObjectiveBenchmark.Spread;
import io.rlstream.bench.ObjectiveBenchmark.Summary;
import io.rlstream.bench.ObjectivePresets.Preset;
import io.rlstream.demo.DemoSettings;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filter.NonEmpty;
import io.rlstream.testkit.CommandConsole;
import io.rlstream.trainer.core.PolicyLoss.Aggregation;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.objective.LipoLambda;
import io.rlstream.trainer.objective.NegativeAwareFineTuning;
import io.rlstream.trainer.service.TrainerMode;
import io.rlstream.trainer.service.TrainerServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of `bench objectives` that need no demo run: flags, presets, the arithmetic over seeds, the tables. */
class ObjectiveBenchmarkTest {

    static Run run(String objective, long seed, double heldOut, double secondsToTarget, long steps) {
        return new Run(objective, seed, 0.2, heldOut, secondsToTarget, Double.isNaN(secondsToTarget) ? -1 : 50_000, steps,
                300, 200_000, 0.45);
    }

    @Test
    void theDefaultsAreAllSixObjectivesOverThreeSeedsFromTheDemosSeed() {
        Settings s = ObjectiveBenchmark.parse(List.of());
        assertEquals(List.of("grpo", "dapo", "gspo", "nft", "lipo-lambda", "online-dpo"), s.objectives());
        assertEquals(List.of(7L, 8L, 9L), s.seeds());
        assertEquals(List.of(5.0, 0.85), List.of(s.minutes(), s.target()));
        assertTrue(s.runDir().getFileName().toString().matches("bench-objectives-\\d{8}-\\d{6}"), s.runDir().toString());
        assertEquals(18, s.runs());
    }

    @Test
    void seedsComeAsACountOrAList(@TempDir Path dir) {
        Settings s = ObjectiveBenchmark.parse(List.of("--objectives", "grpo, nft", "--seeds", "2", "--minutes", "0.3",
                "--target", "0.5", "--run-dir", dir.toString()));
        assertEquals(List.of("grpo", "nft"), s.objectives());
        assertEquals(List.of(7L, 8L), s.seeds());
        assertEquals(List.of(0.3, 0.5), List.of(s.minutes(), s.target()));
        assertEquals(dir.toAbsolutePath(), s.runDir());
        assertEquals(List.of(3L, 11L), ObjectiveBenchmark.parse(List.of("--seed-list", "3,11")).seeds());
    }

    @Test
    void badFlagsSayWhatIsWrong() {
        assertEquals("unknown objective 'ppo'; known: grpo, dapo, gspo, nft, lipo-lambda, online-dpo",
                message(List.of("--objectives", "grpo,ppo")));
        assertTrue(message(List.of("--objectives", "nft,nft")).contains("names one twice"));
        assertTrue(message(List.of("--seeds", "2", "--seed-list", "1,2")).contains("not both"));
        assertTrue(message(List.of("--seeds", "0")).contains("--seeds must be >= 1"));
        assertTrue(message(List.of("--seeds", "many")).contains("--seeds expects a whole number, got 'many'"));
        assertTrue(message(List.of("--seed-list", "1,x")).contains("--seed-list needs whole numbers, got '1,x'"));
        assertTrue(message(List.of("--seed-list", "4,4")).contains("distinct"));
        assertTrue(message(List.of("--seed", "4")).contains("unknown flag --seed"));
        assertTrue(message(List.of("--minutes", "0")).contains("--minutes must be > 0"));
        // through the command: exit code 2, the valid names, and a pointer to --help
        CommandConsole console = new CommandConsole();
        assertEquals(2, console.run(Benchmarks::run, "objectives", "--objectives", "sft"));
        assertTrue(console.err().contains("known: grpo, dapo, gspo, nft, lipo-lambda, online-dpo"), console.err());
        assertTrue(console.err().contains("Run 'rlstream bench objectives --help' for usage."), console.err());
    }

    private static String message(List<String> args) {
        return assertThrows(IllegalArgumentException.class, () -> ObjectiveBenchmark.parse(args)).getMessage();
    }

    @Test
    void everyPresetPassesTheServicesValidation() {
        for (Preset p : ObjectivePresets.ALL) {
            p.validate();
        }
        // a key the trainer does not declare (renamed, misspelt) is caught, not ignored as AbstractConfig would
        Preset renamed = new Preset("x", "", Map.of("trainer.group.objektive", "nft"), Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, renamed::validate).getMessage()
                .contains("the trainer have no setting 'trainer.group.objektive'"));
        // a processors' key given to the trainer is caught too
        assertThrows(IllegalArgumentException.class, () -> new Preset("x", "", Map.of("filter.group", "none"), Map.of()).validate());
        // and a value the trainer refuses
        assertThrows(ConfigException.class, () -> new Preset("x", "", Map.of("trainer.group.objective", "nfts"), Map.of()).validate());
    }

    @Test
    void eachPresetSelectsWhatItsNameSays() {
        TrainerConfig grpo = trainer("grpo").trainerConfig();
        assertEquals(List.of(0.2, 0.2), List.of(grpo.clipLow(), grpo.clipHigh()));
        assertEquals(Aggregation.SEQ_MEAN_TOKEN_MEAN, grpo.aggregation());
        assertInstanceOf(NonEmpty.class, processors("grpo").groupFilter());

        TrainerConfig dapo = trainer("dapo").trainerConfig();
        assertEquals(List.of(0.2, 0.28), List.of(dapo.clipLow(), dapo.clipHigh())); // DAPO's clip-higher
        assertEquals(Aggregation.TOKEN_MEAN, dapo.aggregation());
        assertInstanceOf(DynamicSampling.class, processors("dapo").groupFilter());

        TrainerConfig gspo = trainer("gspo").trainerConfig();
        assertEquals("gspo", gspo.policyLoss());
        assertEquals(List.of(3e-4, 4e-4), List.of(gspo.clipLow(), gspo.clipHigh())); // GSPO's sequence-ratio range
        assertEquals(Aggregation.SEQ_MEAN_TOKEN_MEAN, gspo.aggregation());

        assertEquals(TrainerMode.GROUP, trainer("nft").getEnum(TrainerServiceConfig.MODE, TrainerMode.class));
        assertInstanceOf(NegativeAwareFineTuning.class, trainer("nft").groupObjective());
        assertEquals(1, trainer("nft").trainerConfig().updatesPerBatch()); // NVlabs/NFT's ppo_epoch=1
        assertInstanceOf(LipoLambda.class, trainer("lipo-lambda").groupObjective());

        assertEquals(TrainerMode.PREFERENCE, trainer("online-dpo").getEnum(TrainerServiceConfig.MODE, TrainerMode.class));
        assertEquals(true, processors("online-dpo").getBoolean(ProcessorsConfig.PAIRS));
        // one pair per kept group: a step per batch of the demo's B groups, as the dispatcher's lag gate counts versions
        assertEquals(DemoSettings.defaults(Path.of(".")).batchGroups(),
                trainer("online-dpo").getInt(TrainerServiceConfig.PAIRS_PER_STEP));
        for (Preset p : ObjectivePresets.ALL) {
            assertEquals(0.0, new TrainerServiceConfig(p.trainer()).getDouble(TrainerServiceConfig.KL_COEF), p.name());
        }
    }

    @Test
    void docsBenchmarksListsEachPresetsSettingsAsTheCodeHasThem() throws java.io.IOException {
        // the module's tests run in benchmarks/; the table a reader copies settings from must not drift
        String docs = java.nio.file.Files.readString(Path.of("..", "docs", "benchmarks.md"));
        for (Preset p : ObjectivePresets.ALL) {
            String row = "| `" + p.name() + "` | `" + String.join(" ", p.settingLines()) + "`";
            assertTrue(docs.contains(row), "docs/benchmarks.md should have the row " + row);
        }
    }

    private static TrainerServiceConfig trainer(String objective) {
        return new TrainerServiceConfig(ObjectivePresets.named(objective).trainer());
    }

    private static ProcessorsConfig processors(String objective) {
        return new ProcessorsConfig(ObjectivePresets.named(objective).processors());
    }

    @Test
    void aRunGetsThePresetsSettingsItsSeedAndTheBudget(@TempDir Path dir) {
        Settings s = ObjectiveBenchmark.parse(List.of("--minutes", "0.5", "--target", "0.6"));
        Preset nft = ObjectivePresets.named("nft");
        DemoSettings d = ObjectiveBenchmark.demoSettings(s, nft, 11, dir);
        assertEquals(nft.trainer(), d.trainerSettings());
        assertEquals(Map.of("filter.group", "dynamic-sampling"), d.processorSettings());
        assertEquals(11, d.seed());
        assertEquals(Duration.ofSeconds(30), d.rlBudget());
        assertEquals(0.6, d.targetAccuracy());
        // printed before the runs, from the same presets the runs use
        assertTrue(ObjectivePresets.describe().contains(
                "nft          trainer.mode=group trainer.group.objective=nft trainer.updates.per.batch=1"),
                ObjectivePresets.describe());
        io.rlstream.testkit.CommandConsole console = new io.rlstream.testkit.CommandConsole();
        assertEquals(0, console.run(ObjectiveBenchmark::run, "--help"));
        assertTrue(console.out().contains(
                "nft          trainer.mode=group trainer.group.objective=nft trainer.updates.per.batch=1"), console.out());
    }

    @Test
    void spreadIsTheMeanTheSampleStdAndTheRange() {
        // 0.80, 0.86, 0.89: mean 2.55 / 3 = 0.85; deviations -0.05, 0.01, 0.04, squares sum 0.0042,
        // / (3 - 1) = 0.0021, sd = sqrt(0.0021) = 0.0458258
        Spread s = Spread.of(List.of(0.80, 0.86, 0.89));
        assertEquals(0.85, s.mean(), 1e-12);
        assertEquals(0.0458258, s.sd(), 1e-7);
        assertEquals(List.of(0.80, 0.89), List.of(s.min(), s.max()));
        assertTrue(Double.isNaN(Spread.of(List.of(0.5)).sd()), "one value has no sample std");
        assertEquals(0, Spread.of(List.of()).n());
    }

    @Test
    void timeToTheTargetCountsOnlyTheSeedsThatReachedIt() {
        List<Run> runs = List.of(run("grpo", 7, 0.80, Double.NaN, 600), run("grpo", 8, 0.86, 150, 620),
                run("grpo", 9, 0.89, 210, 640), run("nft", 7, 0.70, Double.NaN, 900));
        Summary grpo = Summary.of("grpo", runs);
        assertEquals(3, grpo.runs());
        assertEquals(0.85, grpo.heldOut().mean(), 1e-12); // all three seeds, the one that missed the target too
        assertEquals(2, grpo.toTarget().n()); // 2/3 reached
        assertEquals(180, grpo.toTarget().mean(), 1e-12); // (150 + 210) / 2: the seed that never got there is left out
        assertEquals(List.of(150.0, 210.0), List.of(grpo.toTarget().min(), grpo.toTarget().max()));
        assertEquals(620, grpo.stepsMean(), 1e-12);
        Summary nft = Summary.of("nft", runs);
        assertEquals(0, nft.toTarget().n());
        assertTrue(Double.isNaN(nft.toTarget().mean()));
    }

    @Test
    void theTableShowsMeanSpreadAndReachedPerObjectiveThenEachRun() {
        Settings s = ObjectiveBenchmark.parse(List.of("--objectives", "grpo,nft", "--minutes", "5"));
        List<Run> runs = List.of(run("grpo", 7, 0.80, Double.NaN, 600), run("grpo", 8, 0.86, 150, 620),
                run("grpo", 9, 0.89, 210, 640), run("nft", 7, 0.70, Double.NaN, 900), run("nft", 8, 0.74, Double.NaN, 910));
        String table = ObjectiveBenchmark.format(runs, s);
        String[] lines = table.split("\n");
        assertEquals("objectives on the demo: seeds 7,8,9, budget 5.0 min of RL per run, target 85%", lines[0]);
        assertEquals("objective     runs  held-out    ± sd        min-max  reached   s to it      min-max    steps", lines[1]);
        // grpo: 85.0% ± 4.6% (above), 80.0-89.0%, 2/3 reached in 180 s on average (150-210), 620 steps
        assertEquals("grpo             3     85.0%    4.6%     80.0-89.0%      2/3       180      150-210      620", lines[2]);
        // nft: (0.70 + 0.74) / 2 = 72.0%; sd sqrt((0.02² + 0.02²) / 1) = 0.0283; no seed reached 85%
        assertEquals("nft              2     72.0%    2.8%     70.0-74.0%      0/2         -            -      905", lines[3]);
        assertTrue(table.contains("sample standard deviation (n - 1)"), table);
        assertTrue(table.contains("over the seeds that reached it only"), table);
        assertTrue(table.contains("grpo              8     20.0%     86.0%       150       50000"), table);
        assertTrue(table.contains("nft               7     20.0%     70.0%         -           -"), table);
        // the csv: one row per run, an empty seconds_to_target where the target was not reached
        String csv = ObjectiveBenchmark.csv(runs);
        assertEquals(6, csv.split("\n").length);
        assertTrue(csv.contains("grpo,8,0.2000,0.8600,true,150.0,50000,200000,620,300.0,0.4500\n"), csv);
        assertTrue(csv.contains("nft,7,0.2000,0.7000,false,,-1,200000,900,300.0,0.4500\n"), csv);
    }

    @Test
    void thePlanSaysHowLongItWillTakeAndProgressWhatEachRunGave() {
        Settings s = ObjectiveBenchmark.parse(List.of("--objectives", "grpo,nft", "--seeds", "1", "--minutes", "0.3"));
        // 2 runs x 0.3 min = 0.6 min of RL, + 2 x 60 s of start-up = 2.6 min, about 3
        String plan = ObjectiveBenchmark.plan(s);
        assertTrue(plan.contains("2 objectives (grpo,nft) x 1 seeds (7) = 2 runs x 0.3 min of RL = 0.6 min of RL, about 3 min in all with each run's start (~60 s)"),
                plan);
        // after the first of two runs, 1.5 min so far: about 1.5 more
        String line = ObjectiveBenchmark.progress(run("grpo", 7, 0.86, 150, 620), 1, s, 1.5);
        assertEquals("--> [1/2] grpo seed 7: held-out 20.0% -> 86.0% after 300 s of RL, target 85% reached after 150 s of RL;"
                + " 1.5 min so far, about 2 min to go", line);
    }
}
