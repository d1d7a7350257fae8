package io.rlstream.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws the demo's learning curve as a PNG: held-out greedy accuracy and batch mean reward
 * against seconds of RL, both on a 0..1 axis, with the target as a dashed line. Plain Java2D, so
 * the image needs no display and no plotting library.
 */
public final class LearningCurve {

    /** One point of a series. */
    public record Point(double seconds, double value) {
    }

    private static final int W = 900;
    private static final int H = 520;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private LearningCurve() {
    }

    public static void write(Path file, String title, List<Point> accuracy, List<Point> reward, double target)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        double maxSeconds = 1;
        for (Point p : accuracy) {
            maxSeconds = Math.max(maxSeconds, p.seconds());
        }
        for (Point p : reward) {
            maxSeconds = Math.max(maxSeconds, p.seconds());
        }
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 10; i++) {
            int y = TOP + plotH - i * plotH / 10;
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%.1f", i / 10.0), LEFT - 30, y + 4);
        }
        for (int i = 0; i <= 6; i++) {
            int x = LEFT + i * plotW / 6;
            g.drawString(String.format("%.0f", maxSeconds * i / 6), x - 10, TOP + plotH + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("seconds of RL", LEFT + plotW / 2 - 40, H - 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 30);
        int ty = TOP + plotH - (int) Math.round(target * plotH);
        g.setColor(new Color(120, 120, 120));
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 6f}, 0f));
        g.drawLine(LEFT, ty, LEFT + plotW, ty);
        series(g, reward, new Color(240, 150, 40), maxSeconds, plotW, plotH, 1.5f);
        series(g, accuracy, new Color(30, 90, 200), maxSeconds, plotW, plotH, 2.5f);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        legend(g, new Color(30, 90, 200), "held-out greedy accuracy", 0);
        legend(g, new Color(240, 150, 40), "batch mean reward", 1);
        legend(g, new Color(120, 120, 120), String.format("target %.2f", target), 2);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void series(Graphics2D g, List<Point> points, Color color, double maxSeconds, int plotW, int plotH,
            float width) {
        g.setColor(color);
        g.setStroke(new BasicStroke(width));
        int px = -1;
        int py = -1;
        for (Point p : points) {
            int x = LEFT + (int) Math.round(p.seconds() / maxSeconds * plotW);
            int y = TOP + plotH - (int) Math.round(Math.max(0, Math.min(1, p.value())) * plotH);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            g.fillOval(x - 2, y - 2, 5, 5);
            px = x;
            py = y;
        }
    }

    private static void legend(Graphics2D g, Color color, String text, int row) {
        int x = W - RIGHT - 230;
        int y = TOP + 20 + row * 20;
        g.setColor(color);
        g.setStroke(new BasicStroke(3f));
        g.drawLine(x, y - 4, x + 24, y - 4);
        g.setColor(Color.BLACK);
        g.drawString(text, x + 32, y);
    }
}
