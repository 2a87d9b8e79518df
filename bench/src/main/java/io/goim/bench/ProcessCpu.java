package io.goim.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process, from {@code /proc/<pid>/stat} (utime and stime, fields 14
 * and 15, in clock ticks of 1/100 s on Linux). Immutable reading; the reader is stateless.
 *
 * @param user seconds in user mode (Java code, JIT, GC)
 * @param system seconds in the kernel (socket writes; on loopback this includes the
 *               receiving side's TCP processing, which runs in the sender's context)
 */
public record ProcessCpu(double user, double system) {
    /** USER_HZ: the kernel reports these fields in 1/100 s on every Linux architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    /** The CPU used so far by {@code pid}. */
    public static ProcessCpu of(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /**
     * CPU used so far by {@code pid}'s JIT compiler threads (HotSpot names them
     * "C1 CompilerThread…" and "C2 CompilerThread…", cut to 15 characters in
     * {@code /proc/<pid>/task/<tid>/stat}): code being compiled during a measured window is
     * warm-up the server pays once, reported apart so a reader sees how much of it is left.
     */
    public static double compilerSeconds(long pid) throws IOException {
        double sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    sum += parse(stat).total();
                }
            }
        }
        return sum;
    }

    private static ProcessCpu parse(String stat) {
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3].
        return new ProcessCpu(Long.parseLong(f[14 - 3]) / TICKS_PER_SECOND, Long.parseLong(f[15 - 3]) / TICKS_PER_SECOND);
    }

    public double total() {
        return user + system;
    }

    ProcessCpu minus(ProcessCpu earlier) {
        return new ProcessCpu(user - earlier.user, system - earlier.system);
    }
}
