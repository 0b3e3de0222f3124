import sys

from apps.launcher import main

sys.exit(main())
