package io.rlstream.bench.jmh;

import io.rlstream.reward.verify.MathVerifier;
import io.rlstream.reward.verify.Verification;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Checks per second of {@link MathVerifier#verify} on one thread, over a fixed mix of 20
 * responses written the way models answer GSM8K-like (10) and MATH-like (10) problems, 300 to 2,000
 * characters each (mean about 640), with every extraction path represented: {@code ####}, "The answer is",
 * "**Answer:**", the last number, one and two boxes, units, percentages, intervals, tuples, a
 * matrix, wrong answers. Each invocation checks the next response in turn, so branch prediction
 * does not learn one. Setup fails if any response is not scored as its comment says, so the
 * benchmark measures the verifier doing its real work.
 *
 * <pre>
 *   cd reward-service
 *   mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main MathVerifierBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class MathVerifierBenchmark {

    record Sample(String response, String reference, boolean correct) {
    }

    private static final String GSM_EGGS = """
            Janet's ducks lay 16 eggs per day.
            She eats 3 eggs for breakfast every morning, so 16 - 3 = 13 eggs are left.
            She bakes muffins for her friends every day with 4 eggs, so 13 - 4 = 9 eggs are left.
            She sells the remaining eggs at the farmers' market for $2 per fresh duck egg.
            So she makes 9 * 2 = $18 every day at the farmers' market.
            #### 18""";

    private static final String GSM_CLIPS = """
            Let's think step by step.
            In April, Natalia sold clips to 48 of her friends.
            In May, she sold half as many clips as in April, which is 48 / 2 = 24 clips.
            Altogether, in April and May she sold 48 + 24 = 72 clips.
            To double-check: half of 48 is 24 because 24 + 24 = 48, and 48 + 24 = 72.
            The answer is 72.""";

    private static final String GSM_BABYSITTING = """
            Weng earns $12 an hour for babysitting. Yesterday, she babysat for 50 minutes.

            **Step 1: Find her pay per minute.**
            There are 60 minutes in an hour, so she earns $12 / 60 = $0.20 per minute.

            **Step 2: Multiply by the minutes worked.**
            She worked 50 minutes, so she earned 0.20 * 50 = $10.

            **Step 3: Sanity check.**
            50 minutes is 5/6 of an hour, and 5/6 of $12 is $10, which agrees.

            **Answer:** $10""";

    private static final String GSM_WALLET = """
            Betty needs $100 for a new wallet and has only half of the money, so she has 100 / 2 = $50.
            Her parents give her $15.
            Her grandparents give her twice as much as her parents, which is 15 * 2 = $30.
            So far she has 50 + 15 + 30 = $95 in total.
            Checking: 50 + 15 = 65, and 65 + 30 = 95, so the total is right.
            She still needs 100 - 95 = $5 more to buy the wallet.""";

    private static final String GSM_LETTERS = """
            James writes a 3-page letter to 2 different friends twice a week.
            Each time he writes, he writes 3 * 2 = 6 pages.
            He does this twice a week, so he writes 6 * 2 = 12 pages a week.
            There are 52 weeks in a year, so he writes 12 * 52 = 624 pages a year.
            Let me verify: 12 * 50 = 600 and 12 * 2 = 24, and 600 + 24 = 624. Correct.
            #### 624""";

    private static final String GSM_GARDEN = """
            Mark has a garden with flowers. He planted plants of three different colors in it.
            Ten of them are yellow, and there are 80% more of those in purple.
            There are only 25% as many green flowers as there are yellow and purple flowers.

            First, let's find the number of purple flowers. There are 80% more purple flowers than
            yellow flowers. 80% of 10 is 0.8 * 10 = 8, so there are 10 + 8 = 18 purple flowers.

            Next, the yellow and purple flowers together number 10 + 18 = 28 flowers.

            Green flowers are 25% as many as the yellow and purple ones together, so there are
            0.25 * 28 = 7 green flowers.

            Finally, the total number of flowers in the garden is the sum of all three colors:
            yellow (10) + purple (18) + green (7) = 35 flowers.

            Let me double-check each step. Yellow: given as 10. Purple: 80% more than 10 means
            10 * 1.8 = 18, consistent. Yellow plus purple: 28. Green: a quarter of 28 is 7,
            consistent. Total: 10 + 18 + 7 = 35. Another way to see it: the green flowers are a
            quarter of 28, so the total is 28 * 1.25 = 35, which agrees.

            It is worth being careful about what "80% more" means. It does not mean that purple
            flowers are 80% of the yellow ones (that would be 8 purple flowers); it means the
            purple count is the yellow count plus 80% of it, which is 18. Similarly, "25% as many"
            means a quarter of the count, not a quarter more, so there are 7 green flowers and not
            28 + 7 = 35 green flowers.

            Summary of the counts:
            - Yellow: 10
            - Purple: 10 + 0.8 * 10 = 18
            - Green: 0.25 * (10 + 18) = 7
            - Total: 10 + 18 + 7 = 35

            As a final sanity check, the green flowers are the smallest group, the purple flowers
            are the largest group, and every count is a whole number, which makes sense for
            flowers. The fractions 80% and 25% both produced whole numbers here (8 and 7), so no
            rounding was needed anywhere in the calculation.

            Therefore, Mark has 35 flowers in his garden. The answer is 35.""";

    private static final String GSM_PIZZA = """
            Albert buys 2 large pizzas and 2 small pizzas.
            A large pizza has 16 slices and a small pizza has 8 slices.
            The large pizzas have 2 \\times 16 = 32 slices.
            The small pizzas have 2 \\times 8 = 16 slices.
            In total he has 32 + 16 = 48 slices, and he eats all of them.
            So Albert eats $\\boxed{48}$ pieces that day.""";

    private static final String GSM_PACKAGE = """
            Ken put a box on a scale and poured in enough jelly beans to bring the weight to 2 pounds.
            Then he added enough brownies to cause the weight to triple: 2 * 3 = 6 pounds.
            Next, he added another 2 pounds of jelly beans: 6 + 2 = 8 pounds.
            Finally, he added enough gummy worms to double the weight once again: 8 * 2 = 16 pounds.
            Final Answer: 16""";

    private static final String GSM_SHOPPING_WRONG = """
            Alexis had a budget of $200 and spent $30 on a shirt, $46 on pants, $38 on a coat,
            $11 on socks, and $18 on a belt, and she has $16 left.
            She spent 30 + 46 + 38 + 11 + 18 = $143 on everything except the shoes.
            With $16 left, her total spending was 200 - 16 = $184.
            So the shoes cost 184 - 143 = $31. Hmm, let me add again: 30 + 46 = 76, 76 + 38 = 114,
            114 + 11 = 125, 125 + 18 = 143. Yes.
            #### 31""";

    private static final String GSM_OVERTIME = """
            Tina makes $18.00 an hour. If she works more than 8 hours per shift, she is eligible
            for overtime, which is paid by her hourly wage + 1/2 her hourly wage.
            Her overtime rate is 18 + 18 / 2 = $27.00 an hour.
            She works 10 hours every day for 5 days, so each day she works 8 regular hours and
            2 overtime hours.
            Regular pay per day: 8 * 18 = $144. Overtime pay per day: 2 * 27 = $54.
            Per day she makes 144 + 54 = $198, and over 5 days 198 * 5 = $990.

            Let me re-read the question to make sure I am answering what is asked. The question
            asks how much money she makes in total over the 5 days, including overtime, so the
            total for the week is what we need, not the daily amount.

            Checking the overtime rate again: half of her hourly wage is 18 / 2 = $9, and her
            hourly wage plus that is 18 + 9 = $27 per overtime hour. That matches.

            Checking the hours: a 10-hour shift has 8 regular hours and 10 - 8 = 2 overtime hours.
            Over 5 days that is 8 * 5 = 40 regular hours and 2 * 5 = 10 overtime hours.

            Computing the week another way: regular pay is 40 * 18 = $720, overtime pay is
            10 * 27 = $270, and 720 + 270 = $990. Both methods agree.

            A common mistake would be to pay all 10 hours at the overtime rate, which gives
            10 * 27 * 5 = $1,350, or to forget overtime entirely, which gives 10 * 18 * 5 = $900.
            Neither is right, because only the hours beyond 8 in a shift earn the higher rate.

            Another check on the size of the answer: without overtime she would earn $900, and
            overtime adds $9 extra for each of the 10 overtime hours, that is $90, and
            900 + 90 = $990, exactly what we found.

            The answer is $990.""";

    private static final String MATH_PROBABILITY = """
            We want the probability that at least one of the two coins shows heads.
            The complement event is that both coins show tails, which happens with probability
            $\\left(\\frac{1}{2}\\right)^2 = \\frac{1}{4}$, since the tosses are independent.
            Therefore the probability of at least one head is
            \\[
            1 - \\frac{1}{4} = \\frac{3}{4}.
            \\]
            We can verify by listing the outcomes: HH, HT, TH, TT. Three of the four contain a
            head, which gives $\\frac{3}{4}$ again.

            Let me also check with the inclusion-exclusion principle. Let $A$ be the event that the
            first coin shows heads and $B$ the event that the second coin shows heads. Then
            \\[
            P(A \\cup B) = P(A) + P(B) - P(A \\cap B) = \\frac{1}{2} + \\frac{1}{2} - \\frac{1}{4}
            = \\frac{3}{4}.
            \\]
            All three methods give the same value, which is reassuring.

            A common mistake is to count the outcomes "zero heads", "one head" and "two heads" as
            equally likely, which would give $\\frac{2}{3}$. That is wrong because "one head" can
            happen in two ways (HT and TH), so it has probability $\\frac{1}{2}$, while "zero heads"
            and "two heads" each have probability $\\frac{1}{4}$. Adding the probabilities of one and
            two heads gives $\\frac{1}{2} + \\frac{1}{4} = \\frac{3}{4}$, consistent with the answer
            above. As a decimal, this is $0.75$, and as a percentage it is $75\\%$.

            Generalising, for $n$ fair coins the probability of at least one head is
            $1 - \\left(\\frac{1}{2}\\right)^n$, which for $n = 2$ is $1 - \\frac{1}{4}$; for $n = 3$ it
            would be $\\frac{7}{8}$, and it approaches $1$ as $n$ grows, as intuition suggests.
            The problem asks for a common fraction, so we give the answer in that form.

            The final answer is $\\boxed{\\frac{3}{4}}$.""";

    private static final String MATH_POLAR = """
            We need to convert the point $(0,3)$ in rectangular coordinates to polar coordinates.
            The radius is $r = \\sqrt{0^2 + 3^2} = 3$.
            The point lies on the positive $y$-axis, so the angle it makes with the positive
            $x$-axis is $\\theta = \\frac{\\pi}{2}$.
            Since $r > 0$ and $0 \\le \\theta < 2\\pi$, the polar coordinates are
            \\[
            \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.
            \\]""";

    private static final String MATH_INTERVAL = """
            For $\\sqrt{x-2}$ to be defined we need $x - 2 \\ge 0$, that is $x \\ge 2$.
            For $\\frac{\\sqrt{x-2}}{\\sqrt{5-x}}$ to be defined, the denominator must be
            positive, so $5 - x > 0$, that is $x < 5$. The denominator cannot be zero, which is why
            the inequality is strict.
            Let us make sure about the endpoints, since that is where mistakes happen.
            At $x = 2$ the numerator is $\\sqrt{0} = 0$ and the denominator is $\\sqrt{3} > 0$, so the
            expression equals $0$ and is defined: $2$ belongs to the domain.
            At $x = 5$ the denominator is $\\sqrt{0} = 0$, and division by zero is undefined, so $5$
            does not belong to the domain.
            For a point inside, say $x = 3$, we get $\\frac{\\sqrt{1}}{\\sqrt{2}} = \\frac{\\sqrt{2}}{2}$,
            which is defined, as expected.
            For a point to the left, say $x = 1$, the numerator is $\\sqrt{-1}$, which is not a real
            number, so $1$ is excluded; for a point to the right, say $x = 6$, the denominator is
            $\\sqrt{-1}$, also not real, so $6$ is excluded.
            One might also ask whether the two square roots could be combined into a single one as
            $\\sqrt{\\frac{x-2}{5-x}}$; that expression has a larger domain, because the fraction
            under the root is also nonnegative when both $x - 2$ and $5 - x$ are negative, which
            cannot happen here since $x - 2 < 0$ and $5 - x < 0$ would need $x < 2$ and $x > 5$ at
            once. So in this case the domains agree, but the original expression is the one asked about.
            Combining the two conditions, the domain is $2 \\le x < 5$, which in interval notation is
            $\\boxed{[2, 5)}$.""";

    private static final String MATH_TRIG = """
            We use the unit circle. The angle $60^\\circ$ corresponds to the point
            $\\left(\\frac{1}{2}, \\frac{\\sqrt{3}}{2}\\right)$, because the triangle formed with the
            $x$-axis is a 30-60-90 triangle with hypotenuse 1.
            The sine of an angle is the $y$-coordinate of its point on the unit circle, so
            \\[
            \\sin 60^\\circ = \\frac{\\sqrt{3}}{2}.
            \\]
            Therefore, the answer is $\\boxed{\\dfrac{\\sqrt{3}}{2}}$.""";

    private static final String MATH_PERCENT = """
            The original price is $\\$50$ and the sale price is $\\$45$.
            The discount is the difference between the original price and the sale price,
            $50 - 45 = 5$ dollars, and a percentage discount is always taken of the original price.
            As a percentage of the original price, the discount is
            $\\frac{5}{50} \\times 100\\% = 10\\%$.
            So the store offered a discount of $\\boxed{10\\%}$.""";

    private static final String MATH_TWO_BOXES = """
            Let the number be $n$. Then $3n + 7 = 25$, so $3n = 18$... wait, I should re-read the
            problem: it says $3n - 7 = 26$. Then $3n = 33$, so $n = 11$. Earlier I wrote
            $\\boxed{6}$, which came from the misread equation.
            Checking the correct equation: $3 \\cdot 11 - 7 = 33 - 7 = 26$. Correct.
            So the number is $\\boxed{11}$.""";

    private static final String MATH_ASSIGNMENT = """
            We solve $2(x - 3) + 4 = 3x - 7$.
            Expanding the left side gives $2x - 6 + 4 = 2x - 2$.
            So $2x - 2 = 3x - 7$. Subtracting $2x$ from both sides gives $-2 = x - 7$.
            Adding $7$ to both sides gives $x = 5$.
            Check: the left side is $2(5-3) + 4 = 8$ and the right side is $15 - 7 = 8$. Both sides
            agree.
            \\[\\boxed{x = 5}\\]""";

    private static final String MATH_CHOICE = """
            Let's evaluate each option.
            (A) $2^{10} = 1024$, which is greater than $1000$.
            (B) $3^6 = 729$, which is less than $1000$.
            (C) $5^5 = 3125$, which is greater than $1000$.
            (D) $10^3 = 1000$, which is not less than $1000$.
            (E) $4^5 = 1024$, which is greater than $1000$.
            Only option (B) is less than $1000$.

            The answer is $\\boxed{\\text{(B)}}$.""";

    private static final String MATH_ANGLE_WRONG = """
            In triangle $ABC$, the angles sum to $180^\\circ$. We are told that
            $\\angle A = 50^\\circ$ and $\\angle B = 60^\\circ$.
            So $\\angle C = 180^\\circ - 50^\\circ - 60^\\circ = 80^\\circ$.
            Hmm, the question asks for the exterior angle at $C$, which is supplementary to the
            interior angle: but I will report the interior angle.
            $\\boxed{80^\\circ}$""";

    private static final String MATH_MATRIX = """
            We need to compute the product
            \\[
            \\begin{pmatrix} 2 & 3 \\\\ 7 & -1 \\end{pmatrix} \\begin{pmatrix} 1 \\\\ -5 \\end{pmatrix}.
            \\]
            Matrix-vector multiplication takes the dot product of each row with the vector.

            The first row is $(2, 3)$, and its dot product with $(1, -5)$ is
            $2 \\cdot 1 + 3 \\cdot (-5) = 2 - 15 = -13$.

            The second row is $(7, -1)$, and its dot product with $(1, -5)$ is
            $7 \\cdot 1 + (-1) \\cdot (-5) = 7 + 5 = 12$.

            Let me double-check the arithmetic. For the first entry, $2 \\times 1 = 2$ and
            $3 \\times (-5) = -15$; adding them gives $-13$. For the second entry, $7 \\times 1 = 7$
            and $(-1) \\times (-5) = 5$; adding them gives $12$. Both entries are confirmed.

            We can also check with the column picture: the product equals
            $1 \\cdot \\begin{pmatrix} 2 \\\\ 7 \\end{pmatrix} + (-5) \\cdot \\begin{pmatrix} 3 \\\\ -1 \\end{pmatrix}
            = \\begin{pmatrix} 2 \\\\ 7 \\end{pmatrix} + \\begin{pmatrix} -15 \\\\ 5 \\end{pmatrix}
            = \\begin{pmatrix} -13 \\\\ 12 \\end{pmatrix}$, which agrees with the row picture.

            Therefore, the product is
            \\[
            \\boxed{\\begin{pmatrix} -13 \\\\ 12 \\end{pmatrix}}.
            \\]""";

    static final List<Sample> SAMPLES = List.of(
            new Sample(GSM_EGGS, "18", true),
            new Sample(GSM_CLIPS, "72", true),
            new Sample(GSM_BABYSITTING, "10", true),
            new Sample(GSM_WALLET, "5", true),
            new Sample(GSM_LETTERS, "624", true),
            new Sample(GSM_GARDEN, "35", true),
            new Sample(GSM_PIZZA, "48", true),
            new Sample(GSM_PACKAGE, "16", true),
            new Sample(GSM_SHOPPING_WRONG, "41", false),
            new Sample(GSM_OVERTIME, "990", true),
            new Sample(MATH_PROBABILITY, "\\frac{3}{4}", true),
            new Sample(MATH_POLAR, "\\left( 3, \\frac{\\pi}{2} \\right)", true),
            new Sample(MATH_INTERVAL, "[2,5)", true),
            new Sample(MATH_TRIG, "\\frac{\\sqrt{3}}{2}", true),
            new Sample(MATH_PERCENT, "10", true),
            new Sample(MATH_TWO_BOXES, "11", true),
            new Sample(MATH_ASSIGNMENT, "5", true),
            new Sample(MATH_CHOICE, "\\text{(B)}", true),
            new Sample(MATH_ANGLE_WRONG, "100^\\circ", false),
            new Sample(MATH_MATRIX, "\\begin{pmatrix} -13 \\\\ 12 \\end{pmatrix}", true));

    private final MathVerifier verifier = new MathVerifier(1.0, 0.0);
    private int next;

    @Setup
    public void checkTheMix() {
        for (Sample s : SAMPLES) {
            Verification v = verifier.verify(s.response(), s.reference());
            if (!v.ok() || (v.score() == 1.0) != s.correct()) {
                throw new IllegalStateException("benchmark sample scored " + v + ", expected correct=" + s.correct()
                        + " for reference " + s.reference());
            }
        }
    }

    @Benchmark
    public Verification verify() {
        Sample s = SAMPLES.get(next);
        next = next + 1 == SAMPLES.size() ? 0 : next + 1;
        return verifier.verify(s.response(), s.reference());
    }
}
