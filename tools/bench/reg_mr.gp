# gnuplot script for build/bench/reg_mr.png (tools/bench/run.sh):
# ibv_reg_mr()+ibv_dereg_mr() time against MR size, DAX vs anon, log-log.
#   gnuplot -e "dat='reg_mr.dat'; png='reg_mr.png'" reg_mr.gp
set terminal pngcairo size 900,600 font ",11" noenhanced
set output png
set title "ibv_reg_mr + ibv_dereg_mr on rxe0 (median, bars: 25-75 %), QEMU TCG guest"
set logscale xy
set xlabel "MR size"
set ylabel "time (µs)"
set xtics ("4 KiB" 4096, "64 KiB" 65536, "1 MiB" 1048576, "16 MiB" 16777216, "128 MiB" 134217728, "1 GiB" 1073741824)
set key top left
set grid
plot dat using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb "#c00000" title "DAX file, exclusive layout lease (PMD-mapped)", \
     dat using 1:5:6:7 with yerrorlines lw 2 pt 5 lc rgb "#0050c0" title "anonymous (THP)", \
     dat using 1:8:9:10 with yerrorlines lw 1 pt 6 dt 2 lc rgb "#ff7070" title "DAX file, 4 KiB-mapped", \
     dat using 1:11:12:13 with yerrorlines lw 1 pt 4 dt 2 lc rgb "#60a0ff" title "anonymous, 4 KiB pages", \
     dat using 1:14:15:16 with yerrorlines lw 1 pt 3 dt 3 lc rgb "#000000" title "anonymous (THP), stock kernel"
