require "include";
include :global "spam_tests";
