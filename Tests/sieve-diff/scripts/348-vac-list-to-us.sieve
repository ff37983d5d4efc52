require "vacation";
vacation :addresses "sieve@ietf.example.org" "away";
