@echo off
rem Shell completion of "kubectl spark-eci": kubectl runs this helper, found on
rem PATH, with the words typed after "kubectl spark-eci".
kubectl-spark_eci.exe __complete %*
