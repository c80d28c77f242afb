from oci_emulator.cli import main

main()
