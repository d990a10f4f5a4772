# perl http.pl [-n N] METHOD URL [FILE]: an HTTP request (curl-free:
# HTTP::Tiny is in Perl's core), the body FILE's bytes; prints the status
# code on a line, then the response's body.  With -n, N requests at once
# (one process each), and a line for each: its status code and body,
# sorted.
use strict;
use warnings;
use HTTP::Tiny;

my $n = 0;
if (@ARGV && $ARGV[0] eq '-n') {
	shift;
	$n = shift;
}
my ($method, $url, $file) = @ARGV;
die "usage: http.pl [-n N] METHOD URL [FILE]\n" unless defined $url;
my %opt;
if (defined $file) {
	open(my $fh, '<:raw', $file) or die "$file: $!\n";
	local $/;
	$opt{content} = <$fh> // '';
	$opt{headers} = { 'Content-Type' => 'application/octet-stream' };
}

sub request {
	my $r = HTTP::Tiny->new(timeout => 60)->request($method, $url, \%opt);
	return $r;
}

if ($n == 0) {
	my $r = request();
	binmode STDOUT;
	print "$r->{status}\n", $r->{content} // '';
	exit 0;
}
my @pid;
pipe(my $rd, my $wr) or die "pipe: $!\n";
for (1 .. $n) {
	my $pid = fork() // die "fork: $!\n";
	if ($pid == 0) {
		close $rd;
		my $r = request();
		(my $body = $r->{content} // '') =~ s/\n//g;
		syswrite $wr, "$r->{status} $body\n";
		exit 0;
	}
	push @pid, $pid;
}
close $wr;
my @st = <$rd>;
waitpid($_, 0) for @pid;
print sort @st;
