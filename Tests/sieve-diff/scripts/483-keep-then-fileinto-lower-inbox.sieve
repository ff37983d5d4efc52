require "fileinto";
keep;
fileinto "inbox";
