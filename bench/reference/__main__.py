from bench.reference.app import main

main()
