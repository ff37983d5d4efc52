require "include";
include :once :personal "filer";
include :once :personal "filer";
