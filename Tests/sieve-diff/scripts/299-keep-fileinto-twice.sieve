require "fileinto";
fileinto "A";
fileinto "B";
fileinto "A";
